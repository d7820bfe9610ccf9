/** One `name=value` pair of a tag-list record. */
export interface Tag {
  name: string;
  value: string;
}

/** A parsed tag list, or the reason it is invalid. */
export type TagList = { ok: true; tags: Tag[] } | { ok: false; error: string };

// The tag names of MTA-STS (RFC 8461 3.1 sts-ext-name), TLS-RPT (RFC 8460 3 tlsrpt-ext-name)
// and BIMI records: a letter or digit, then letters, digits, "_", "-" or ".".
const TAG_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;

/**
 * Parses a record of `name=value` pairs separated by ";" with optional spaces and tabs around
 * the separator and one optional trailing ";" (the field-delim of RFC 8461 3.1 and RFC 8460 3).
 * Rejects empty fields, fields without "=", invalid names and repeated names.
 */
export function parseTagList(record: string): TagList {
  const fields = record.split(';').map((field) => field.replace(/^[ \t]+|[ \t]+$/g, ''));
  if (fields.length > 1 && fields[fields.length - 1] === '') {
    fields.pop();
  }
  const tags: Tag[] = [];
  for (const field of fields) {
    const equals = field.indexOf('=');
    if (equals < 0) {
      return { ok: false, error: `field "${field}" has no "="` };
    }
    const name = field.slice(0, equals).replace(/[ \t]+$/, '');
    const value = field.slice(equals + 1).replace(/^[ \t]+/, '');
    if (!TAG_NAME.test(name)) {
      return { ok: false, error: `invalid tag name "${name}"` };
    }
    if (tags.some((tag) => tag.name === name)) {
      return { ok: false, error: `tag "${name}" appears twice` };
    }
    tags.push({ name, value });
  }
  return { ok: true, tags };
}

/** Returns the value of the tag named `name`, or undefined. Tag names are case-sensitive. */
export function tagValue(tags: Tag[], name: string): string | undefined {
  return tags.find((tag) => tag.name === name)?.value;
}

/**
 * Keeps the TXT records that start with `prefix` followed by ";", spaces or the end, so that
 * unrelated records at the same name are ignored (RFC 8461 3.1, RFC 8460 3).
 */
export function recordsWithVersion(records: string[], prefix: string): string[] {
  return records.filter(
    (record) =>
      record.startsWith(prefix) && /^(?:[ \t]*;|[ \t]*$)/.test(record.slice(prefix.length)),
  );
}
