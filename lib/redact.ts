/** Connection strings and password parameters never reach a log line or a response. */
export function redact(text: string): string {
  return text
    .replace(/(\b[a-z][\w+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi, "$1***@")
    .replace(/(password\s*[=:]\s*)\S+/gi, "$1***");
}
