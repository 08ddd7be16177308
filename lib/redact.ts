/** Connection strings, password parameters and URL keys (the edge bridge's) never reach a log line or a response. */
export function redact(text: string): string {
  return text
    .replace(/(\b[a-z][\w+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi, "$1***@")
    .replace(/(password\s*[=:]\s*)\S+/gi, "$1***")
    .replace(/([?&]key=)[^&#\s]+/gi, "$1***");
}
