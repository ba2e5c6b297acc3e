/**
 * Sets a key as the map's newest entry and forgets the oldest once the map holds more than
 * `capacity`: memory that traffic fills stays bounded whatever the traffic sends.
 */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, capacity: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > capacity) map.delete(map.keys().next().value as K);
}
