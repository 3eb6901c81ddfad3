import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { Product } from '@serverless-patterns/shared/schemas/api';

/**
 * The thermostats the store sells: what the products table holds (`npm run clicks -- --seed-products`),
 * what the shop shows and what the load generator's shoppers look at.
 */
export const THERMOSTATS: readonly Product[] = [
  {
    productId: 'th-aria-2',
    name: 'Aria Smart Thermostat',
    category: 'smart',
    price: 199,
    description: 'Learns your schedule and heats only the rooms you use.',
  },
  {
    productId: 'th-aria-2-pro',
    name: 'Aria Pro',
    category: 'smart',
    price: 279,
    description: 'Aria with room sensors, humidity control and an e-ink display.',
  },
  {
    productId: 'th-nimbus',
    name: 'Nimbus Wi-Fi Thermostat',
    category: 'smart',
    price: 149,
    description: 'Schedules from your phone; works with every boiler.',
  },
  {
    productId: 'th-nimbus-mini',
    name: 'Nimbus Mini',
    category: 'smart',
    price: 99,
    description: 'The Nimbus for a single room.',
  },
  {
    productId: 'th-classic-7',
    name: 'Classic 7-Day Programmable',
    category: 'programmable',
    price: 59,
    description: 'Seven daily programmes, no Wi-Fi needed.',
  },
  {
    productId: 'th-classic-5-2',
    name: 'Classic 5+2 Programmable',
    category: 'programmable',
    price: 45,
    description: 'Weekdays and weekends, set once.',
  },
  {
    productId: 'th-dial',
    name: 'Dial Mechanical Thermostat',
    category: 'mechanical',
    price: 25,
    description: 'A dial that never needs batteries.',
  },
  {
    productId: 'th-radiator-valve',
    name: 'Smart Radiator Valve',
    category: 'accessories',
    price: 69,
    description: 'Room-by-room control for Aria and Nimbus.',
  },
  {
    productId: 'th-room-sensor',
    name: 'Room Sensor',
    category: 'accessories',
    price: 39,
    description: 'Temperature and presence, for Aria Pro.',
  },
  {
    productId: 'th-hub',
    name: 'Thermostat Hub',
    category: 'accessories',
    price: 89,
    description: 'Connects up to 32 valves and sensors.',
  },
];

/**
 * Puts the store's thermostats into the products table (`npm run clicks -- --seed-products`, the shop's
 * browser test): the same items again change nothing.
 */
export async function seedProducts(dynamodb: DynamoDBClient, tableName: string): Promise<number> {
  for (const product of THERMOSTATS) {
    await dynamodb.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          productId: { S: product.productId },
          name: { S: product.name },
          category: { S: product.category },
          price: { N: String(product.price) },
          description: { S: product.description },
        },
      }),
    );
  }
  return THERMOSTATS.length;
}
