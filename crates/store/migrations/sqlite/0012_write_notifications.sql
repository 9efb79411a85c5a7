-- PostgreSQL's 0012 makes every write notify the other nodes. A SQLite database is
-- served by one process, which sees its own writes: nothing to do here. (The
-- migration exists so that both dialects keep the same numbering.)
SELECT 1;
