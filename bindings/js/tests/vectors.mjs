// core's shared test vectors (core/tests/vectors/*.json, documented in core/tests/vectors.rs),
// run through the npm package's functions. Self-contained: the same module runs in Node and,
// passed as text, inside a Chromium page; `pkg` is the package, `bases` and `files` the
// parsed JSON. `runVectors` returns the number of cases and one line per failing case.
/** The input of a vector case: its base, with `remove`d and `set` paths (`$repeat` expanded). */
export function buildInput(bases, c) {
  const expand = (value) =>
    value && typeof value === "object" && "$repeat" in value
      ? value.$repeat.repeat(value.times) + (value.then ?? "")
      : value;
  const value = JSON.parse(JSON.stringify(bases[c.base]));
  for (const path of c.remove ?? []) {
    const parts = path.split(".");
    const parent = parts.slice(0, -1).reduce((node, key) => node?.[key], value);
    if (parent && typeof parent === "object") delete parent[parts.at(-1)];
  }
  for (const [path, v] of Object.entries(c.set ?? {})) {
    const parts = path.split(".");
    let node = value;
    for (const part of parts.slice(0, -1)) {
      if (node[part] === null || typeof node[part] !== "object") node[part] = {};
      node = node[part];
    }
    node[parts.at(-1)] = expand(v);
  }
  return value;
}

export function runVectors(pkg, bases, files) {
  const getPath = (root, path) => path.split(".").reduce((node, key) => (node == null ? undefined : node[key]), root);
  const input = (c) => buildInput(bases, c);
  const pairs = (list) => list.map((e) => `${e.path} ${e.code}`).sort();
  const compareErrors = (expect, errors) => {
    if (!expect.errors) return `expected a valid input, got errors ${JSON.stringify(errors)}`;
    const silent = errors.find((e) => typeof e.message !== "string" || e.message === "");
    if (silent) return `error without a message: ${JSON.stringify(silent)}`;
    const want = pairs(expect.errors).join(", ");
    const got = pairs(errors).join(", ");
    return want === got ? null : `expected errors [${want}], got [${got}]`;
  };
  const hex = (text) => Uint8Array.from(text.match(/../g) ?? [], (h) => parseInt(h, 16));
  const check = (c) => {
    const expect = c.expect;
    switch (c.check) {
      case "customer":
      case "patch": {
        const result =
          c.check === "patch" ? pkg.applyPatch(input(c), c.patch, c.today) : pkg.validateCustomer(input(c), c.today);
        if (!result.ok) return compareErrors(expect, result.errors);
        if (expect.valid !== true) return `expected ${JSON.stringify(expect)}, but the input was valid`;
        for (const [path, want] of Object.entries(expect.normalized ?? {})) {
          const got = getPath(result.value, path);
          if (JSON.stringify(got ?? null) !== JSON.stringify(want)) return `${path}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`;
        }
        return null;
      }
      case "requirements": {
        const got = (pkg.requiredDocuments(input(c), c.today) ?? ["(invalid)"]).map((d) => d.kind ?? d).join(",");
        const want = expect.documents.join(",");
        return got === want ? null : `expected ${want}, got ${got}`;
      }
      case "proof_of_address": {
        const got = pkg.proofOfAddress(c.issued_on, c.today);
        return got === expect.result ? null : `expected ${expect.result}, got ${got}`;
      }
      case "content_type": {
        const got = pkg.sniffContentType(hex(c.bytes_hex));
        return got === (expect.content_type ?? null) ? null : `expected ${expect.content_type}, got ${got}`;
      }
      case "quality": {
        let report;
        try {
          report = pkg.measureQuality({ width: c.width, height: c.height, channels: c.channels, data: Uint8Array.from(c.pixels) }, "passport");
        } catch (error) {
          return expect.error === true ? null : `threw ${error.message}`;
        }
        if (expect.error === true) return "expected an error, got measures";
        for (const key of ["contrast", "sharpness", "dark_share", "bright_share"]) {
          if (typeof expect[key] === "number" && Math.abs(report.measures[key] - expect[key]) > 1e-9) {
            return `${key}: expected ${expect[key]}, got ${report.measures[key]}`;
          }
        }
        return null;
      }
      case "quality_rules": {
        const got = pkg.judgeQuality(c.measures, c.kind).problem;
        return got === (expect.first_problem ?? null) ? null : `expected ${expect.first_problem}, got ${got}`;
      }
      default:
        return `unknown check ${c.check}`;
    }
  };
  const failures = [];
  let cases = 0;
  for (const [file, content] of Object.entries(files)) {
    for (const c of content.cases) {
      cases += 1;
      let why;
      try {
        why = check(c);
      } catch (error) {
        why = `threw ${error?.message ?? error}`;
      }
      if (why) failures.push(`[${file}] ${c.name}: ${why}`);
    }
  }
  return { cases, failures };
}
