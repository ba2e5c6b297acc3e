/**
 * Sets a key as the map's newest entry and forgets the oldest once the map holds more than
 * `capacity`: memory that traffic fills stays bounded whatever the traffic sends. Answers the
 * entry forgotten, for a caller that must let go of what it held.
 */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, capacity: number): [K, V] | undefined {
  map.delete(key);
  map.set(key, value);
  if (map.size <= capacity) return undefined;
  const oldest = map.entries().next().value as [K, V];
  map.delete(oldest[0]);
  return oldest;
}
