// Reads one entity with the official JavaScript SDK and prints it as JSON, every property as
// {"value": ..., "type": "Int64" | "DateTime" | ...} (disableTypeConversion), so a test can check
// the EDM types our client wrote. Usage: node read-entity.mjs <connection string> <table> <pk> <rk>
import { TableClient } from "@azure/data-tables";

const [connectionString, table, partitionKey, rowKey] = process.argv.slice(2);
const client = TableClient.fromConnectionString(connectionString, table, { allowInsecureConnection: true });
const entity = await client.getEntity(partitionKey, rowKey, { disableTypeConversion: true });
process.stdout.write(JSON.stringify(entity));
