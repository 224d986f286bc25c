// The README's journey with a client generated from the mock's own /openapi.json, unmodified:
// create a package, poll it until it is ready, get the download URL, fetch and unzip the file.
// Usage: node dist/flow.js BASE_URL bare|envelope   (types: npm run generate, see tests/test_clients.py)
import createClient from "openapi-fetch";
import { unzipSync } from "fflate";
import type { paths as BarePaths } from "./generated/bare.js";
import type { paths as EnvelopePaths } from "./generated/envelope.js";

const [baseUrl = "http://127.0.0.1:4010", generation = "bare"] = process.argv.slice(2);
const headers = { Authorization: "Bearer dz_demo_acme", "x-business-id": "11111111-1111-4111-8111-111111111111" };
const body = {
  selected_reports: ["pl", "balance_sheet", "cash_flow"],
  period_start: "2026-10-01",
  period_end: "2026-10-31",
  report_format: "xlsx" as const,
};

interface Outcome {
  status: string;
  fileSize: number | null | undefined;
  url: string;
}

function fail(step: string, status: number): never {
  throw new Error(`${step} answered ${status}`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function bare(): Promise<Outcome> {
  const client = createClient<BarePaths>({ baseUrl, headers });
  const created = await client.POST("/api/v1/month-end-packages", { body });
  if (!created.data) fail("create", created.response.status);
  const id = created.data.package.id;
  let status: string = created.data.package.status;
  for (let poll = 0; status !== "ready" && status !== "failed" && poll < 200; poll++) {
    await sleep(50);
    const got = await client.GET("/api/v1/month-end-packages/{package_id}", { params: { path: { package_id: id } } });
    if (!got.data) fail("get", got.response.status);
    status = got.data.status;
  }
  const link = await client.GET("/api/v1/month-end-packages/{package_id}/download", {
    params: { path: { package_id: id } },
  });
  if (!link.data) fail("download", link.response.status);
  return { status, fileSize: link.data.file_size_bytes, url: link.data.download_url };
}

async function envelope(): Promise<Outcome> {
  const client = createClient<EnvelopePaths>({ baseUrl, headers });
  const created = await client.POST("/api/v1/month-end-packages", { body });
  const queued = created.data?.data;
  if (!queued) fail("create", created.response.status);
  const id = queued.package.id;
  let status: string = queued.package.status;
  for (let poll = 0; status !== "ready" && status !== "failed" && poll < 200; poll++) {
    await sleep(50);
    const got = await client.GET("/api/v1/month-end-packages/{package_id}", { params: { path: { package_id: id } } });
    if (!got.data?.data) fail("get", got.response.status);
    status = got.data.data.status;
  }
  const link = await client.GET("/api/v1/month-end-packages/{package_id}/download", {
    params: { path: { package_id: id } },
  });
  if (!link.data?.data) fail("download", link.response.status);
  return { status, fileSize: link.data.data.file_size_bytes, url: link.data.data.download_url };
}

const outcome = generation === "envelope" ? await envelope() : await bare();
const zipped = new Uint8Array(await (await fetch(outcome.url)).arrayBuffer());
const files = Object.keys(unzipSync(zipped)).sort();
console.log(JSON.stringify({ generation, status: outcome.status, size: zipped.length, fileSize: outcome.fileSize, files }));
