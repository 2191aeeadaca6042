-- Demo data for the bank example. Touchtone builds bank.db from this file when bank.db is missing or older.
-- PINs are in clear text only because this is demo data; a real bank keeps them in its core system and checks
-- them there, through a module source that exports `verifiesSecrets = true`.
CREATE TABLE accounts (
  number TEXT PRIMARY KEY,
  pin TEXT NOT NULL,
  owner TEXT NOT NULL,
  balance TEXT NOT NULL          -- decimal text, so cents stay exact
);
INSERT INTO accounts VALUES
  ('12345678', '1234', 'Ada Lovelace', '1042.50'),
  ('87654321', '4321', 'Alan Turing', '-12.30'),
  ('11112222', '0000', 'Grace Hopper', '0.99');

CREATE TABLE transactions (
  id INTEGER PRIMARY KEY,
  account TEXT NOT NULL REFERENCES accounts (number),
  booked TEXT NOT NULL,          -- YYYY-MM-DD
  amount TEXT NOT NULL,
  payee TEXT NOT NULL
);
INSERT INTO transactions (account, booked, amount, payee) VALUES
  ('12345678', '2026-12-01', '-49.99', 'Power company'),
  ('12345678', '2026-12-03', '2500.00', 'Salary'),
  ('12345678', '2026-12-05', '-12.40', 'Bakery'),
  ('87654321', '2026-11-28', '-100.00', 'Rent share');

-- One row per account with its two most recent bookings, for the `transactions` source.
CREATE VIEW last_transactions AS
SELECT a.number AS account,
  (SELECT COUNT(*) FROM transactions t WHERE t.account = a.number) AS count,
  (SELECT booked FROM transactions t WHERE t.account = a.number ORDER BY booked DESC, id DESC LIMIT 1) AS date1,
  (SELECT amount FROM transactions t WHERE t.account = a.number ORDER BY booked DESC, id DESC LIMIT 1) AS amount1,
  (SELECT booked FROM transactions t WHERE t.account = a.number ORDER BY booked DESC, id DESC LIMIT 1 OFFSET 1) AS date2,
  (SELECT amount FROM transactions t WHERE t.account = a.number ORDER BY booked DESC, id DESC LIMIT 1 OFFSET 1) AS amount2
FROM accounts a
WHERE EXISTS (SELECT 1 FROM transactions t WHERE t.account = a.number);
