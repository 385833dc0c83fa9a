// Writes one entity with the official JavaScript SDK, typed explicitly, for our client to read back.
// Usage: node write-entity.mjs <connection string> <table> <pk> <rk>
import { TableClient } from "@azure/data-tables";

const [connectionString, table, partitionKey, rowKey] = process.argv.slice(2);
const client = TableClient.fromConnectionString(connectionString, table, { allowInsecureConnection: true });
await client.createEntity({
  partitionKey,
  rowKey,
  Name: "Zoë's \"50%\" #1 & ü+",
  Count: 42,
  Big: { value: "9007199254740993", type: "Int64" },
  Max: { value: "9223372036854775807", type: "Int64" },
  Ratio: 0.1,
  Whole: { value: "3", type: "Double" },
  NotANumber: { value: "NaN", type: "Double" },
  Infinite: { value: "-Infinity", type: "Double" },
  Flag: true,
  When: new Date("2024-02-29T12:34:56.789Z"),
  Precise: { value: "2024-02-29T12:34:56.7891234Z", type: "DateTime" },
  Id: { value: "c9da6455-213d-42c9-9a79-3e9149a57833", type: "Guid" },
  Bytes: new Uint8Array([0, 1, 2, 254, 255]),
});
process.stdout.write("ok");
