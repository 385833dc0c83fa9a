// The storage ceilings measured through the official JavaScript SDKs, for comparison with our
// .NET REST clients in the same run. Started by the `storage` benchmark; prints aligned lines.
import { QueueServiceClient } from "@azure/storage-queue";
import { TableClient, TableServiceClient } from "@azure/data-tables";

const connection = process.env.BENCH_STORAGE_CONNECTION;
const scale = Number(process.env.BENCH_SCALE ?? "1");
const n = (count) => Math.max(100, Math.floor(count * scale));
const prefix = `js${process.pid % 1000}x${Date.now() % 100000}`;

function line(name, value, unit) {
  console.log(`${name.padEnd(52)} ${Math.round(value).toLocaleString("en-US").padStart(12)} ${unit}`);
}

async function rate(total, concurrency, op) {
  let next = -1;
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    let i;
    while ((i = ++next) < total) await op(i);
  }));
  return total / ((performance.now() - start) / 1000);
}

const queues = QueueServiceClient.fromConnectionString(connection);
for (const c of [1, 8, 32]) {
  const queue = queues.getQueueClient(`${prefix}sends${c}`);
  await queue.createIfNotExists();
  const body = Buffer.from("x".repeat(200)).toString("base64");
  line(`js queue sends/s (concurrency ${c})`, await rate(n(3000), c, () => queue.sendMessage(body)), "msg/s");
  await queue.delete();
}

{
  // Receive 32 at a time and delete each, as the .NET figure does (the queue is filled first, untimed).
  const queue = queues.getQueueClient(`${prefix}receives`);
  await queue.createIfNotExists();
  const total = n(1000);
  await rate(total, 32, () => queue.sendMessage("eyJuIjoxfQ=="));
  let done = 0;
  const start = performance.now();
  while (done < total) {
    const batch = (await queue.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 300 })).receivedMessageItems;
    await Promise.all(batch.map((m) => queue.deleteMessage(m.messageId, m.popReceipt)));
    done += batch.length;
  }
  line("js queue receive+delete/s (receivers 1)", done / ((performance.now() - start) / 1000), "msg/s");
  await queue.delete();
}

const tableOptions = { allowInsecureConnection: true };
for (const c of [1, 8, 32]) {
  const table = TableClient.fromConnectionString(connection, `${prefix}ins${c}`, tableOptions);
  await table.createTable();
  line(`js table single inserts/s (concurrency ${c})`,
    await rate(n(3000), c, (i) => table.createEntity({ partitionKey: `p${i % 16}`, rowKey: `r${i}`, Name: "bench", N: i })), "ent/s");
}

{
  const table = TableClient.fromConnectionString(connection, `${prefix}batch`, tableOptions);
  await table.createTable();
  const batches = Math.max(1, Math.floor(n(30000) / 100));
  const value = await rate(batches, 4, (b) => table.submitTransaction(
    Array.from({ length: 100 }, (_, i) => ["create", { partitionKey: `p${b}`, rowKey: `r${i}`, Name: "bench", N: i }])));
  line("js table batched entities/s (4 x 100-entity batches)", value * 100, "ent/s");

  let rows = 0;
  const start = performance.now();
  for await (const _ of table.listEntities()) rows++;
  line(`js table scanned rows/s (${rows} rows)`, rows / ((performance.now() - start) / 1000), "rows/s");
}
