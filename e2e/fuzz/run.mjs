// The API fuzzer of the test command: schemathesis (`--checks all`, plus kycard_checks.py)
// against a fresh `kycard serve --demo`, generating requests from the served OpenAPI document.
// Bounded: a fixed seed and example count (the same requests every run) and a time limit.
// Prints `# pass 1` or `# fail 1` for the test command's count.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { root, startServer } from "../support.mjs";

const st = process.env.KYCARD_SCHEMATHESIS ?? join(root, ".tools/schemathesis/bin/st");
const LIMIT_SECONDS = 600;
const here = join(root, "e2e/fuzz");

const server = await startServer();
let code;
try {
  const { email, password } = server.users.admin;
  const signIn = await fetch(`${server.base}/api/v1/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  const session = /kycard_session=([^;]+)/.exec(signIn.headers.get("set-cookie") ?? "")?.[1];
  if (!session) throw new Error(`the demo admin could not sign in: ${signIn.status}`);
  const args = [
    "--config-file", join(here, "schemathesis.toml"),
    "run", `${server.base}/api/v1/openapi.json`,
    "--checks", "all",
    "--max-examples", process.env.KYCARD_FUZZ_EXAMPLES ?? "40",
    "--seed", process.env.KYCARD_FUZZ_SEED ?? "1",
    "--continue-on-failure",
    "--workers", "2",
    "--request-timeout", "5",
    "--generation-database", "none",
    "--no-color",
  ];
  const child = spawn(st, args, {
    cwd: here,
    env: {
      ...process.env,
      KYCARD_API_KEY: server.keys.admin,
      KYCARD_SESSION: session,
      PYTHONPATH: here,
      SCHEMATHESIS_HOOKS: "kycard_checks",
    },
    stdio: "inherit",
  });
  const timer = setTimeout(() => {
    console.error(`schemathesis ran over ${LIMIT_SECONDS} s: stopped`);
    child.kill("SIGTERM");
  }, LIMIT_SECONDS * 1000);
  code = await new Promise((done) => child.on("exit", (status) => done(status ?? 1)));
  clearTimeout(timer);
} finally {
  await server.stop();
}
console.log(code === 0 ? "# pass 1" : "# fail 1");
process.exit(code === 0 ? 0 : 1);
