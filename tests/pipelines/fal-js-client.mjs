// fal's own published JS client, unmodified, against imagegen-emulator
// (PROTOCOL-FAL.md §1a option 2): a custom fetch sends every request for
// fal's hosts to the emulator; the emulator's own URLs (results, upload
// URLs, on loopback) are fetched as they are.  Prints one line per check,
// "ok NAME" or "FAIL NAME: why", and exits 1 when any failed.
//
// Environment: EMU_URL (the API origin), FAL_JS_MODULES (node_modules
// holding @fal-ai/client), EMU_FAIL (a script that adds an emulator fault).
import { createRequire } from "node:module";
import { execFileSync } from "node:child_process";
import path from "node:path";

const require = createRequire(path.join(process.env.FAL_JS_MODULES, "x.js"));
const { createFalClient } = require("@fal-ai/client");
const WS = require("ws");

const EMU = new URL(process.env.EMU_URL);

// fal's hosts are hard-coded in its client: any origin that is not on
// loopback is one of them, and goes to the emulator's API origin
function rewrite(url) {
  const u = new URL(url);
  if (u.hostname === "127.0.0.1" || u.hostname === "localhost")
    return url;
  u.protocol = EMU.protocol;
  u.host = EMU.host;
  return u.toString();
}

// the client opens its realtime socket with the global WebSocket (Node
// 20 has none): ws's, with fal's host rewritten as above
globalThis.WebSocket = class extends WS {
  constructor(url, protocols) {
    const u = new URL(url);
    u.protocol = EMU.protocol === "https:" ? "wss:" : "ws:";
    u.host = EMU.host;
    super(u.toString(), protocols);
  }
};

const seen = [];
function emuFetch(input, init) {
  const url = typeof input === "string" ? input : input.url;
  seen.push(url);
  return fetch(rewrite(url), init);
}

const fal = createFalClient({ credentials: "js-key:secret", fetch: emuFetch });

async function unauthorizedSent() {
  for (let i = 0; i < 600; i++) {
    const stats = await (await fetch(new URL("/emulator/stats", EMU))).json();
    if (stats.requests.fal_rt_unauthorized > 0)
      return;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error("the emulator never sent Unauthorized");
}

function fault(spec) {
  execFileSync(process.env.EMU_FAIL, [spec]);
}

// the width and height in a PNG's IHDR, or null when it is no PNG
function pngSize(bytes) {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 24 || sig.some((b, i) => bytes[i] !== b))
    return null;
  const v = new DataView(bytes.buffer, bytes.byteOffset);
  return { width: v.getUint32(16), height: v.getUint32(20) };
}

async function download(url) {
  const r = await fetch(url);
  if (!r.ok)
    throw new Error(`GET ${url} answered ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

function assert(cond, what) {
  if (!cond)
    throw new Error(what);
}

const MODEL = "fal-ai/flux-2/klein/4b";
const checks = [];
const check = (name, fn) => checks.push([name, fn]);

check("subscribe", async () => {
  const r = await fal.subscribe(MODEL, {
    input: { prompt: "a red lighthouse", image_size: { width: 320, height: 240 } },
  });
  assert(r.requestId && r.requestId.length > 0, "no requestId (x-fal-request-id)");
  const url = r.data.images[0].url;
  const size = pngSize(await download(url));
  assert(size !== null, `${url} is not a PNG`);
  assert(size.width === 320 && size.height === 240,
      `the PNG is ${size.width}x${size.height}, not 320x240`);
  // status and result went to owner/app only, as the client builds them
  assert(seen.some((u) => u.includes("/fal-ai/flux-2/requests/" + r.requestId + "/status")),
      "no status poll below fal-ai/flux-2");
});

// a Blob in the input is uploaded through fal's storage first, and the
// edit reads it from there: the result has the input's size
check("edit-with-blob", async () => {
  const first = await fal.subscribe(MODEL, {
    input: { prompt: "a white gull", image_size: { width: 200, height: 120 } },
  });
  const png = await download(first.data.images[0].url);
  const r = await fal.subscribe(MODEL + "/edit", {
    input: { prompt: "as a woodcut", image_urls: [new Blob([png], { type: "image/png" })] },
  });
  const size = pngSize(await download(r.data.images[0].url));
  assert(size && size.width === 200 && size.height === 120,
      `the edit is ${size ? size.width + "x" + size.height : "no PNG"}, not 200x120`);
});

// FLUX 3 on fal: the client polls blackforestlabs/flux-3 (owner and app)
// for blackforestlabs/flux-3/edit-image, where the emulator serves it
check("flux3-edit", async () => {
  const first = await fal.subscribe(MODEL, {
    input: { prompt: "a white gull", image_size: { width: 320, height: 240 } },
  });
  const png = await download(first.data.images[0].url);
  const r = await fal.subscribe("blackforestlabs/flux-3/edit-image", {
    input: {
      prompt: "image 1 as a woodcut",
      image_urls: ["data:image/png;base64," + Buffer.from(png).toString("base64")],
    },
  });
  assert(seen.some((u) => u.includes("/blackforestlabs/flux-3/requests/" + r.requestId + "/status")),
      "no status poll below blackforestlabs/flux-3");
  const image = r.data.images[0];
  // the 1k tier's area in the input's shape, sides multiples of 16
  assert(Math.abs(image.width / image.height - 4 / 3) < 0.02,
      `the edit is ${image.width}x${image.height}, not the input's 4:3`);
  const bytes = await download(image.url);
  assert(bytes[0] === 0xff && bytes[1] === 0xd8, "the result is not a JPEG");
});

check("queue", async () => {
  const { request_id } = await fal.queue.submit(MODEL, {
    input: { prompt: "a blue door", image_size: "square" },
  });
  assert(request_id, "no request_id");
  let status;
  for (let i = 0; i < 400; i++) {
    status = await fal.queue.status(MODEL, { requestId: request_id, logs: true });
    assert(["IN_QUEUE", "IN_PROGRESS", "COMPLETED"].includes(status.status),
        `unexpected status ${status.status}`);
    if (status.status === "COMPLETED")
      break;
    await new Promise((res) => setTimeout(res, 50));
  }
  assert(status.status === "COMPLETED", "never COMPLETED");
  const r = await fal.queue.result(MODEL, { requestId: request_id });
  assert(r.requestId === request_id, `requestId ${r.requestId}, not ${request_id}`);
  const size = pngSize(await download(r.data.images[0].url));
  assert(size && size.width === 512 && size.height === 512, "not a 512x512 PNG");
});

check("stream-status", async () => {
  const { request_id } = await fal.queue.submit(MODEL, {
    input: { prompt: "a green hill", image_size: "square" },
  });
  const done = await fal.queue.subscribeToStatus(MODEL, {
    requestId: request_id, mode: "streaming",
  });
  assert(done.status === "COMPLETED", `the stream ended with ${done.status}`);
});

check("cancel", async () => {
  fault("task:stuck");
  const { request_id } = await fal.queue.submit(MODEL, {
    input: { prompt: "never finished" },
  });
  await fal.queue.cancel(MODEL, { requestId: request_id });
  const status = await fal.queue.status(MODEL, { requestId: request_id });
  assert(status.status === "COMPLETED", `after cancel: ${status.status}`);
  assert(status.error_type === "client_cancelled",
      `error_type ${status.error_type}`);
});

check("failure", async () => {
  fault("task:failed");
  let error = null;
  try {
    await fal.subscribe(MODEL, { input: { prompt: "doomed" } });
  } catch (e) {
    error = e;
  }
  assert(error !== null, "a failed request resolved");
  assert(error.status === 500, `status ${error.status}`);
  assert(JSON.stringify(error.body).includes("Generation failed"),
      `body ${JSON.stringify(error.body)}`);
});

check("storage-upload", async () => {
  const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4, 5]);
  const url = await fal.storage.upload(new Blob([bytes], { type: "image/png" }));
  const back = await download(url);
  assert(back.length === bytes.length && back.every((b, i) => b === bytes[i]),
      "the uploaded bytes did not come back");
});

// realtime: a frame in (a data: URI, as klein realtime requires) gives a
// result through onResult, its image as msgpack bin bytes; the socket
// closes without an error
check("realtime", async () => {
  const first = await fal.subscribe(MODEL, {
    input: { prompt: "a white gull", image_size: "square" },
  });
  const png = await download(first.data.images[0].url);
  const errors = [];
  const result = await new Promise((resolve, reject) => {
    const connection = fal.realtime.connect("fal-ai/flux-2/klein/realtime", {
      onResult: (r) => {
        connection.close();
        resolve(r);
      },
      onError: (e) => {
        errors.push(e);
        reject(e);
      },
    });
    connection.send({
      prompt: "as a woodcut",
      image_url: "data:image/png;base64," + Buffer.from(png).toString("base64"),
    });
  });
  const image = result.images[0];
  assert(image.content instanceof Uint8Array, "the image content is not bytes");
  assert(image.content[0] === 0xff && image.content[1] === 0xd8, "the image is not a JPEG");
  assert(image.width === 768 && image.height === 768,
      `the image is ${image.width}x${image.height}, not 768x768 (square)`);
  // a close with a code other than 1000 would come as onError
  await new Promise((res) => setTimeout(res, 200));
  assert(errors.length === 0, `errors: ${errors.map(String).join("; ")}`);
});

// the emulator's control messages as the client reads them: an
// x-fal-error is the client's onError (400, "<error>: <reason>");
// Unauthorized drops the token, and the next frame goes on a new socket
// with a new token
check("realtime-control", async () => {
  const first = await fal.subscribe(MODEL, {
    input: { prompt: "a white gull", image_size: "square" },
  });
  const frame = {
    prompt: "as a woodcut",
    image_url: "data:image/png;base64," +
        Buffer.from(await download(first.data.images[0].url)).toString("base64"),
  };
  fault("fal-frame:error");
  const error = await new Promise((resolve) => {
    const c = fal.realtime.connect("fal-ai/flux-2/klein/realtime", {
      onResult: () => resolve(null),
      onError: (e) => {
        c.close();
        resolve(e);
      },
    });
    c.send(frame);
  });
  assert(error !== null, "an x-fal-error gave a result");
  assert(error.status === 400 && String(error.message).startsWith("INTERNAL_ERROR"),
      `x-fal-error came as ${error.status} ${error.message}`);

  fault("fal-frame:unauthorized");
  const result = await new Promise((resolve, reject) => {
    const c = fal.realtime.connect("fal-ai/flux-2/klein/realtime", {
      onResult: (r) => {
        c.close();
        resolve(r);
      },
      onError: reject,
    });
    c.send(frame);
    // once the emulator has said Unauthorized, and past the client's
    // 128 ms throttle, the second frame
    unauthorizedSent().then(() => setTimeout(() => c.send(frame), 500));
  });
  assert(result.images[0].width === 768, "no result after Unauthorized");
});

let failed = 0;
for (const [name, fn] of checks) {
  try {
    await fn();
    console.log(`ok ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e && e.stack ? e.stack : e}`);
  }
}
process.exit(failed ? 1 : 0);
