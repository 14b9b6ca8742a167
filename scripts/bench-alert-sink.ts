// The benchmark's webhook receiver, in a process of its own so the time an
// alert arrives is not delayed by the benchmark driver's own work. Forked by
// bench-alerts.ts: tells its port, notes each delivery id's arrival time, and
// hands the times over when asked.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const arrived = new Map<string, number>();
let requests = 0;
const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    requests++;
    const id = String(req.headers["x-conveyor-delivery"]);
    if (!arrived.has(id)) arrived.set(id, Date.now());
    res.writeHead(204).end();
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, "127.0.0.1", () => process.send!({ port: (server.address() as AddressInfo).port }));
process.on("message", (m: { ask?: "count" | "dump" }) => {
  if (m.ask === "count") process.send!({ count: arrived.size });
  if (m.ask === "dump") process.send!({ requests, arrived: [...arrived] });
});
