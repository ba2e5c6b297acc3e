-- A write of impressions alone has no click whose being stored shows it committed. It stores a mark
-- instead, so a write whose answer was lost (the connection dropped during COMMIT) can be looked up
-- before its impressions are written again. A mark is removed by a later write once it is known.
CREATE TABLE traffic_write_marks (
  id text PRIMARY KEY
);
