// @ts-check
import { readFileSync } from "node:fs";

/**
 * The wasm engine's constructor takes the schema files and nothing else: preview features come from the schema's
 * generator blocks, and there is no way to hand it extension types. A flag asking for more than that is refused
 * with one line naming it, rather than accepted and ignored.
 * @param {{ previewFeatures?: string, extensionTypes?: string, datamodelPaths: string[] }} flags
 * @returns {string | undefined} why the flags cannot be honoured, or undefined when they can
 */
export function refusedFlags({ previewFeatures, extensionTypes, datamodelPaths }) {
  if (previewFeatures) {
    const inSchema = new Set(datamodelPaths.flatMap(schemaPreviewFeatures));
    const missing = previewFeatures
      .split(",")
      .map((feature) => feature.trim())
      .filter((feature) => feature && !inSchema.has(feature));
    if (missing.length > 0) {
      return `--enabled-preview-features ${missing.join(",")}: the wasm schema engine reads preview features only from the schema's generator block (previewFeatures = [...]); add them there.`;
    }
  }
  if (extensionTypes && hasExtensionTypes(extensionTypes)) {
    return "--extension-types: the wasm schema engine cannot take extension types (prisma.config.ts `extensions`); remove them, or use the native schema engine.";
  }
  return undefined;
}

/** @param {string} path */
function schemaPreviewFeatures(path) {
  let text;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return [];
  }
  return [...text.matchAll(/^\s*previewFeatures\s*=\s*\[([^\]]*)\]/gm)].flatMap((match) =>
    [...(match[1] ?? "").matchAll(/"([^"]+)"/g)].map((feature) => feature[1] ?? ""),
  );
}

/** An extension config with no types in it asks for nothing. @param {string} json */
function hasExtensionTypes(json) {
  try {
    const config = JSON.parse(json);
    const types = config?.types ?? config?.typeExtensions ?? config;
    return Array.isArray(types) ? types.length > 0 : Object.keys(types ?? {}).length > 0;
  } catch {
    return true;
  }
}
