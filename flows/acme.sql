-- Demo data for the default hotline. Touchtone builds acme.db from this file when acme.db is missing or older.
CREATE TABLE accounts (
  number TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  balance REAL NOT NULL          -- a number, so conditions such as `acct.balance < 0` compare it as one
);
INSERT INTO accounts VALUES
  ('123456', 'Ada Lovelace', 42.50),
  ('1234567890', 'Alan Turing', -12.30),
  ('654321', 'Grace Hopper', 1000);
