/**
 * Code block sandbox: Corezoid semantics (the task is the global `data`) and the escape suite of
 * issue 4. Every escape attempt must fail AND leave the runner usable: each test ends by checking
 * that an ordinary run still works (`stillWorks`).
 */
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { createCodeRunner, type CodeRunResult } from "./code-runner.ts";

const runner = createCodeRunner({ memoryLimitMb: 32, maxOutputBytes: 100_000 });
afterAll(() => runner.close());

const run = (src: string, data: Record<string, unknown> = {}, timeoutMs = 1000) => runner.run({ src, data, timeoutMs });

async function stillWorks() {
  expect(await run("data.ok = data.n + 1", { n: 41 })).toEqual({ data: { n: 41, ok: 42 } });
}

function errorOf(result: CodeRunResult) {
  if (!("error" in result)) throw new Error(`expected an error, got data ${JSON.stringify(result.data)}`);
  return result;
}

describe("Corezoid semantics", () => {
  it("returns data as the code mutated it", async () => {
    expect(await run("data.phone = '+1' + data.n; delete data.n", { n: 555, keep: [1, { a: true }] })).toEqual({
      data: { phone: "+1555", keep: [1, { a: true }] },
    });
  });

  it("returns data as the code reassigned it, also through var", async () => {
    expect(await run("data = { fresh: true }", { old: 1 })).toEqual({ data: { fresh: true } });
    expect(await run("var data = { declared: 1 }", { old: 1 })).toEqual({ data: { declared: 1 } });
  });

  it("runs as a script: var and function declarations are globals, this is the global", async () => {
    expect(await run("var seen = this === globalThis; function f() { return 2 } data.r = [seen, globalThis.f()]")).toEqual({ data: { r: [true, 2] } });
  });

  it("sees what promise jobs queued by the code did", async () => {
    expect(await run("Promise.resolve().then(() => { data.later = true })")).toEqual({ data: { later: true } });
  });

  it("gives the code a copy: changing the host's object afterwards or inside changes nothing on the other side", async () => {
    const input = { list: [1, 2] };
    const result = await run("data.list.push(3)", input);
    expect(result).toEqual({ data: { list: [1, 2, 3] } });
    expect(input).toEqual({ list: [1, 2] });
  });

  it("drops undefined values as JSON does", async () => {
    expect(await run("data.missing = data.nothing; data.arr = [undefined]")).toEqual({ data: { arr: [null] } });
  });

  it("console.log has no effect and prints nothing on the host", async () => {
    const stdout = vi.spyOn(process.stdout, "write");
    const stderr = vi.spyOn(process.stderr, "write");
    try {
      expect(await run("console.log('secret', data); console.error('x'); console.info(1); data.logged = true")).toEqual({ data: { logged: true } });
      expect(stdout).not.toHaveBeenCalled();
      expect(stderr).not.toHaveBeenCalled();
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
  });
});

describe("errors", () => {
  it("a throw is executing_error with the message and line", async () => {
    expect(await run("\nthrow new RangeError('amount out of range')")).toEqual({
      error: "executing_error",
      description: "RangeError: amount out of range (line 2)",
    });
    expect(await run("throw 'plain string'")).toEqual({ error: "executing_error", description: "plain string" });
    expect(await run("throw { not: 'an Error' }")).toEqual({ error: "executing_error", description: "undefined" });
    await stillWorks();
  });

  it("a syntax error is executing_error with its place", async () => {
    expect(await run("data.x = ;")).toEqual({ error: "executing_error", description: "SyntaxError: Unexpected token ';' [code.js:1:10]" });
  });

  it.each([
    ["a Proxy", "throw new Proxy({}, { get() { for (;;) {} }, getPrototypeOf() { for (;;) {} } })"],
    ["an Error with a looping message getter", "const e = new Error('x'); Object.defineProperty(e, 'message', { get() { for (;;) {} } }); throw e"],
    ["an Error with a looping stack getter", "const e = new Error('x'); Object.defineProperty(e, 'stack', { get() { for (;;) {} } }); throw e"],
    ["a Proxy out of toJSON", "data.t = { toJSON() { throw new Proxy({}, { get() { for (;;) {} } }) } }"],
  ])("throwing %s (isolated-vm would copy it outside any timeout) ends within the timeout", async (_what, src) => {
    const t0 = Date.now();
    expect(errorOf(await run(src, {}, 300)).error).toBe("timeout");
    expect(Date.now() - t0).toBeLessThan(1500);
    await stillWorks();
  });

  it("a thrown value with a hostile toString is described without running away", async () => {
    const r = errorOf(await run("throw { name: 'Custom', message: { toString() { return 'from toString' } } }"));
    expect(r).toEqual({ error: "executing_error", description: "Custom: from toString" });
    expect(errorOf(await run("throw { get message() { throw new Error('no') } }")).description).toBe("the code threw something that cannot be described");
  });

  it("a huge error message is cut short", async () => {
    const r = errorOf(await run("throw new Error('x'.repeat(1e6))"));
    expect(r.description.length).toBeLessThan(1100);
  });

  it.each([
    ["a number", "data = 5"],
    ["a string", "data = 'text'"],
    ["null", "data = null"],
    ["undefined", "data = undefined"],
    ["an array", "data = [1, 2]"],
    ["a function", "data = function () {}"],
    ["a deleted global", "delete globalThis.data"],
  ])("data reassigned to %s is return_format_error", async (_what, src) => {
    expect(errorOf(await run(src, { a: 1 })).error).toBe("return_format_error");
    await stillWorks();
  });

  it.each([
    ["a nested function", "data.fn = function () {}", /data\.fn is a function/],
    ["a symbol", "data.s = Symbol('x')", /data\.s is a symbol/],
    ["a cycle", "data.self = data", /circular/],
    ["a BigInt", "data.n = 10n", /BigInt/],
    ["a throwing toJSON", "data.t = { toJSON() { throw new Error('nope') } }", /nope/],
  ])("data holding %s is return_format_error", async (_what, src, description) => {
    const r = errorOf(await run(src));
    expect(r.error).toBe("return_format_error");
    expect(r.description).toMatch(description);
  });

  it("replacing JSON.stringify or the prototype's toJSON cannot smuggle a non-object out", async () => {
    expect(errorOf(await run("JSON.stringify = () => '[1,2]'; data = 3")).error).toBe("return_format_error");
    // The code may change what its own data serialises to; the host still accepts only an object.
    expect(errorOf(await run("Object.prototype.toJSON = function () { return [1] }")).error).toBe("return_format_error");
    await stillWorks();
  });
});

describe("escape attempts", () => {
  const hostNames = ["process", "require", "module", "exports", "Buffer", "global", "fetch", "setTimeout", "setInterval", "setImmediate", "queueMicrotask", "WebAssembly", "SharedArrayBuffer", "Atomics", "ivm", "_ivm", "__dirname"];

  it("the global has no host objects, modules, timers or network", async () => {
    const src = `data.types = {}; for (const n of ${JSON.stringify(hostNames)}) data.types[n] = typeof globalThis[n];`;
    const r = await run(src);
    expect(r).toEqual({ data: { types: Object.fromEntries(hostNames.map((n) => [n, n === "require" ? "function" : "undefined"])) } });
    // `require` exists only to say it is unavailable.
    const req = errorOf(await run("require('fs')"));
    expect(req).toEqual({ error: "executing_error", description: expect.stringMatching(/^require\("fs"\) is not available: Conveyor Code blocks run without modules/) });
  });

  it.each([
    ["this.constructor.constructor", "this.constructor.constructor('return process')()"],
    ["data.constructor.constructor", "data.constructor.constructor('return process')()"],
    ["Function('return this')", "Function('return this')().process.exit(1)"],
    ["an arrow's constructor", "(() => {}).constructor('return process')()"],
    ["an async function's constructor", "(async () => {}).constructor('return process')()"],
    ["a generator's constructor", "(function* () {}).constructor('return process')().next()"],
    ["eval", "eval('process')"],
    ["globalThis.process", "globalThis.process.mainModule.require('fs')"],
  ])("%s reaches no process", async (_what, src) => {
    const r = errorOf(await run(src));
    expect(r.error).toBe("executing_error");
    expect(r.description).toMatch(/process is not defined|Cannot read properties of undefined/);
    await stillWorks();
  });

  it("every constructor chain ends in the sandbox's own Function, which sees the sandbox's global", async () => {
    const src = `
      const globals = [
        this.constructor.constructor('return this')(),
        data.constructor.constructor('return this')(),
        Function('return this')(),
        (0, eval)('this'),
        Object.getPrototypeOf(function* () {}).constructor('return this')().next().value,
      ];
      data.same = globals.every((g) => g === globalThis);
      data.processes = globals.map((g) => typeof g.process);
    `;
    expect(await run(src)).toEqual({ data: { same: true, processes: Array(5).fill("undefined") } });
  });

  it("stack-trace call sites (Error.prepareStackTrace) expose nothing of the host or of the runner's own functions", async () => {
    const src = `
      Error.prepareStackTrace = (_e, sites) => sites;
      const sites = new Error().stack;
      data.processes = sites.map((s) => { const t = s.getThis(); return t && typeof t.process; }).filter((type) => type && type !== "undefined");
      // Frames below the user's code belong to the runner (strict mode): they must give out neither their function nor their this.
      data.runnerFrames = sites.slice(1).map((s) => [typeof s.getFunction(), typeof s.getThis()]);
    `;
    const r = await run(src);
    expect(r).toMatchObject({ data: { processes: [] } });
    if (!("data" in r)) throw new Error("unreachable");
    const frames = r.data.runnerFrames as string[][];
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.every(([fn, self]) => fn === "undefined" && self === "undefined")).toBe(true);
  });

  it("static import is a syntax error and import() yields no module", async () => {
    expect(errorOf(await run("import fs from 'fs'")).description).toMatch(/^SyntaxError/);
    const r = await run("import('fs').then((m) => { data.fs = typeof m.readFileSync }, () => { data.failed = true })");
    expect("data" in r && r.data.fs).toBeFalsy();
    await stillWorks();
  });

  it("prototype pollution stays inside the run", async () => {
    const src = `
      Object.prototype.polluted = 1;
      Array.prototype.polluted = 1;
      data.__proto__.viaData = 1;
      Object.getPrototypeOf(data).viaGetProto = 1;
      JSON.parse = () => ({ hijacked: true });
      data.own = true;
    `;
    const r = await run(src);
    expect(r).toEqual({ data: { own: true } });
    const plain: Record<string, unknown> = {};
    expect(plain.polluted).toBeUndefined();
    expect(plain.viaData).toBeUndefined();
    expect(plain.viaGetProto).toBeUndefined();
    expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined();
    // The next run gets fresh built-ins: no polluted prototype, the real JSON.parse.
    expect(await run("data.seen = ({}).polluted === undefined && data.n === 1", { n: 1 })).toEqual({ data: { n: 1, seen: true } });
  });

  it("a __proto__ key in the result is dropped, so nothing that merges the result later can be polluted", async () => {
    const r = await run(`data = JSON.parse('{"__proto__": {"isAdmin": true}, "a": {"__proto__": {"x": 1}, "b": 2}}')`);
    expect(r).toEqual({ data: { a: { b: 2 } } });
    if (!("data" in r)) throw new Error("unreachable");
    expect(Object.getPrototypeOf(r.data)).toBe(Object.prototype);
    expect(Object.keys(r.data)).toEqual(["a"]);
    const merged = Object.assign({}, r.data) as Record<string, unknown>;
    expect(merged.isAdmin).toBeUndefined();
  });

  it("a __proto__ key in the input does not change the sandbox's data prototype", async () => {
    const input = JSON.parse('{"__proto__": {"polluted": 1}, "x": 1}') as Record<string, unknown>;
    expect(await run("data.protoIsObject = Object.getPrototypeOf(data) === Object.prototype; data.polluted = ({}).polluted === 1", input)).toEqual({
      data: { x: 1, protoIsObject: true, polluted: false },
    });
  });
});

describe("limits", () => {
  it("while(true) ends as timeout within the limit", async () => {
    const t0 = Date.now();
    expect(await run("while (true) {}", {}, 200)).toEqual({ error: "timeout", description: "the code ran longer than its 200 ms limit" });
    expect(Date.now() - t0).toBeLessThan(1500);
    await stillWorks();
  });

  it.each([
    ["an async infinite loop", "(async () => { for (;;) await null })()"],
    ["an endless promise chain", "const next = () => Promise.resolve().then(next); next()"],
    ["a busy loop in a then", "Promise.resolve().then(() => { for (;;) {} })"],
    ["Atomics.wait on a shared buffer", "Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)"],
    ["a busy getter run while serialising", "Object.defineProperty(data, 'x', { enumerable: true, get() { for (;;) {} } })"],
  ])("%s cannot outlive the timeout", async (_what, src) => {
    const t0 = Date.now();
    const r = errorOf(await run(src, {}, 200));
    // Atomics and SharedArrayBuffer are removed, so that attempt fails at once instead of timing out.
    // An endless promise chain allocates as it goes: on a loaded machine its memory limit can stop it first.
    const stoppedByMemory = src.includes(".then(next)") && r.error === "executing_error" && /memory limit/.test(r.description);
    expect(r.error === "timeout" || (src.includes("Atomics") && r.error === "executing_error") || stoppedByMemory, JSON.stringify(r)).toBe(true);
    expect(Date.now() - t0).toBeLessThan(1500);
    await stillWorks();
  });

  it.each([
    ["a growing array", "const a = []; for (;;) a.push({ n: Math.random(), s: 'x'.repeat(100) + Math.random() })"],
    ["a doubling string kept in pieces", "const parts = []; let s = 'xy'; for (;;) { s = s + s; parts.push(s + '!') }"],
    ["many array buffers", "const a = []; for (;;) a.push(new ArrayBuffer(1 << 20))"],
    ["one huge array buffer", "new Uint8Array(1024 * 1024 * 1024).fill(1)"],
  ])("a memory bomb (%s) fails the run, the host survives and the next run works", async (_what, src) => {
    const rssBefore = process.memoryUsage().rss;
    const r = errorOf(await run(src, {}, 10_000));
    expect(r.error).toBe("executing_error");
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(512 * 1024 * 1024);
    await stillWorks();
  });

  it("WebAssembly memory, which the isolate's heap limit does not count, is not available", async () => {
    const src = "const m = new WebAssembly.Memory({ initial: 1, maximum: 16384 }); m.grow(16000); data.bytes = m.buffer.byteLength";
    expect(errorOf(await run(src)).description).toMatch(/WebAssembly is not defined/);
  });

  it("a result over maxOutputBytes is return_format_error, counted in UTF-8 bytes", async () => {
    const ascii = errorOf(await run("data.big = 'x'.repeat(200000)"));
    expect(ascii).toEqual({ error: "return_format_error", description: expect.stringMatching(/larger than the 100000-byte limit/) });
    // 60,000 characters but 120,000 bytes: only the byte count catches it.
    const wide = errorOf(await run("data.big = 'é'.repeat(60000)"));
    expect(wide.description).toMatch(/larger than the 100000-byte limit \(\d+ bytes/);
    expect(await run("data.fits = 'é'.repeat(40000); data.fits = data.fits.length")).toEqual({ data: { fits: 40000 } });
  });

  it("50 parallel runs each get their own data and a fresh global", async () => {
    const src = "globalThis.count = (globalThis.count || 0) + 1; data.count = count; data.double = data.i * 2; for (let i = 0; i < 1e5; i++);";
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => run(src, { i }, 5000)));
    expect(results).toEqual(Array.from({ length: 50 }, (_, i) => ({ data: { i, count: 1, double: i * 2 } })));
  });

  it("hostile and ordinary runs side by side: only the hostile ones fail", async () => {
    const results = await Promise.all([
      run("while (true) {}", {}, 300),
      run("const a = []; for (;;) a.push('x'.repeat(1000) + Math.random())", {}, 10_000),
      ...Array.from({ length: 8 }, (_, i) => run("data.ok = true", { i })),
    ]);
    expect(results[0]).toMatchObject({ error: "timeout" });
    expect(results[1]).toMatchObject({ error: "executing_error" });
    expect(results.slice(2)).toEqual(Array.from({ length: 8 }, (_, i) => ({ data: { i, ok: true } })));
  });
});

describe("runner lifecycle", () => {
  let other: ReturnType<typeof createCodeRunner> | undefined;
  afterEach(() => other?.close());

  it("close waits for runs in progress and refuses new ones", async () => {
    other = createCodeRunner({ maxConcurrent: 1 });
    const pending = other.run({ src: "for (let i = 0; i < 1e6; i++); data.done = true", data: {}, timeoutMs: 2000 });
    await other.close();
    await expect(pending).resolves.toEqual({ data: { done: true } });
    await expect(other.run({ src: "", data: {}, timeoutMs: 100 })).rejects.toThrow(/closed/);
  });

  it("runs wait for a free slot, and the wait does not count against their timeout", async () => {
    other = createCodeRunner({ maxConcurrent: 1 });
    const busy = other.run({ src: "const end = Date.now() + 300; while (Date.now() < end);", data: {}, timeoutMs: 1000 });
    const queued = other.run({ src: "const end = Date.now() + 150; while (Date.now() < end); data.ran = true", data: {}, timeoutMs: 200 });
    await expect(busy).resolves.toEqual({ data: {} });
    await expect(queued).resolves.toEqual({ data: { ran: true } });
  });

  it("refuses options outside isolated-vm's range", () => {
    expect(() => createCodeRunner({ memoryLimitMb: 4 })).toThrow(/at least 8/);
  });
});
