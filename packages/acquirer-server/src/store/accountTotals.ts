/**
 * The issuer's running totals per account (a table of the gateway's database, kept by triggers):
 * what its holds add up to and what is posted to it, so that reading an account costs the same
 * after a hundred thousand purchases as after one. The triggers run inside the statement that
 * changes an authorization, capture, posting or credit posting, so a total is committed in the
 * same transaction as the decision it reflects, on every connection that writes the file.
 *
 * A hold lapses with time, not with a write, so `held` counts a hold until it is retired: an
 * authorization on the account retires every hold that ended (lapsed, released, captured) up to
 * its own time (`retired_until`). A lookup at `at` then subtracts only the holds that ended in
 * (retired_until, at], an index range on hold_until as long as the holds ended since the card's
 * last authorization, not its history. A lookup before `retired_until` (a request taken before
 * one decided ahead of it, a clock set back, a question about the past) adds back the retired
 * holds still live then, those that ended in (at, retired_until]: the range between the two
 * times again, whichever comes first.
 *
 * A hold counts in `held` while: it holds an amount, its authorization has no capture, and it has
 * no end or ends after `retired_until`.
 */

export const accountTotalsSchema = `
CREATE TABLE IF NOT EXISTS account_totals (
  card_id TEXT PRIMARY KEY REFERENCES accounts(card_id),
  held INTEGER NOT NULL,
  posted INTEGER NOT NULL,
  -- ISO time: every hold ended at or before it is out of held ('' : none retired yet).
  retired_until TEXT NOT NULL DEFAULT ''
);
`;

/** Whether the hold `h` (NEW or OLD) counts in the account_totals row being updated or read. */
const counted = (h: string) => `${h}.held > 0
  AND (${h}.hold_until IS NULL OR ${h}.hold_until > account_totals.retired_until)
  AND NOT EXISTS (SELECT 1 FROM captures c WHERE c.auth_rrpid = ${h}.auth_rrpid)`;

/** Add `sign` times the hold `h` to its account's total when it counts. */
const holdDelta = (h: string, sign: "+" | "-") => `UPDATE account_totals
    SET held = held ${sign} ${h}.held
    WHERE account_totals.card_id = ${h}.card_id AND ${counted(h)};`;

/** What the uncaptured holds of account `card` that ended in (`after`, `until`] held (SQL expressions). */
const endedBetween = (card: string, after: string, until: string) => `(SELECT COALESCE(SUM(a.held), 0)
    FROM authorizations a WHERE a.card_id = ${card} AND a.held > 0 AND a.hold_until > ${after}
      AND a.hold_until <= ${until} AND NOT EXISTS (SELECT 1 FROM captures c WHERE c.auth_rrpid = a.auth_rrpid))`;

/** The counted holds of account `card` that ended by `until`. */
const endedSince = (card: string, until: string) => endedBetween(card, "account_totals.retired_until", until);

/** Retire the holds of `card` that ended by `until` (both SQL expressions). */
const retire = (card: string, until: string) => `UPDATE account_totals
    SET held = held - ${endedSince(card, until)}, retired_until = ${until}
    WHERE account_totals.card_id = ${card} AND account_totals.retired_until < ${until};`;

/** Every account's full sums, as the triggers keep them: for a new account and on migration. */
const fullTotals = (card: string) => `(SELECT COALESCE(SUM(a.held), 0) FROM authorizations a
    WHERE a.card_id = ${card} AND a.held > 0
      AND NOT EXISTS (SELECT 1 FROM captures c WHERE c.auth_rrpid = a.auth_rrpid)),
  (SELECT COALESCE(SUM(amount), 0) FROM postings WHERE card_id = ${card})
    + (SELECT COALESCE(SUM(amount), 0) FROM credit_postings WHERE card_id = ${card})`;

/** A table of signed amounts posted to accounts: each row in it is in its account's `posted`. */
const postingTriggers = (table: string) => `
CREATE TRIGGER IF NOT EXISTS account_totals_${table}_in AFTER INSERT ON ${table} BEGIN
  UPDATE account_totals SET posted = posted + NEW.amount WHERE card_id = NEW.card_id;
END;
CREATE TRIGGER IF NOT EXISTS account_totals_${table}_out AFTER DELETE ON ${table} BEGIN
  UPDATE account_totals SET posted = posted - OLD.amount WHERE card_id = OLD.card_id;
END;
CREATE TRIGGER IF NOT EXISTS account_totals_${table}_change AFTER UPDATE OF amount, card_id ON ${table} BEGIN
  UPDATE account_totals SET posted = posted - OLD.amount WHERE card_id = OLD.card_id;
  UPDATE account_totals SET posted = posted + NEW.amount WHERE card_id = NEW.card_id;
END;`;

/**
 * The triggers; created after every table they name. A capture ends its authorization's hold
 * whatever hold_until says (captures are never deleted, and one per authorization at most).
 */
export const accountTotalsTriggers = `
CREATE TRIGGER IF NOT EXISTS account_totals_new AFTER INSERT ON accounts BEGIN
  INSERT INTO account_totals (card_id, held, posted) VALUES (NEW.card_id, ${fullTotals("NEW.card_id")});
END;
CREATE TRIGGER IF NOT EXISTS account_totals_hold AFTER INSERT ON authorizations
  WHEN NEW.card_id IS NOT NULL BEGIN
  ${holdDelta("NEW", "+")}
  ${retire("NEW.card_id", "NEW.created")}
END;
CREATE TRIGGER IF NOT EXISTS account_totals_hold_change AFTER UPDATE OF held, hold_until, card_id ON authorizations
  BEGIN
  ${holdDelta("OLD", "-")}
  ${holdDelta("NEW", "+")}
END;
CREATE TRIGGER IF NOT EXISTS account_totals_capture AFTER INSERT ON captures BEGIN
  UPDATE account_totals SET held = held - (SELECT a.held FROM authorizations a WHERE a.auth_rrpid = NEW.auth_rrpid)
    WHERE account_totals.card_id = (SELECT a.card_id FROM authorizations a WHERE a.auth_rrpid = NEW.auth_rrpid)
      AND EXISTS (SELECT 1 FROM authorizations a WHERE a.auth_rrpid = NEW.auth_rrpid AND a.held > 0
        AND (a.hold_until IS NULL OR a.hold_until > account_totals.retired_until));
END;
${postingTriggers("postings")}
${postingTriggers("credit_postings")}
`;

/**
 * A store from before the totals: every account's row from the full sums, then its ended holds
 * retired up to @now. Run in one transaction by the caller; accounts that have a row are kept.
 */
export const migrateAccountTotals = [
  `INSERT INTO account_totals (card_id, held, posted)
    SELECT card_id, ${fullTotals("accounts.card_id")} FROM accounts
    WHERE card_id NOT IN (SELECT card_id FROM account_totals)`,
  `UPDATE account_totals SET held = held - ${endedSince("account_totals.card_id", "@now")}, retired_until = @now
    WHERE account_totals.retired_until < @now`,
];

/** Whether an account has no totals row (a store from before them). */
export const selectAccountWithoutTotals =
  "SELECT 1 FROM accounts WHERE card_id NOT IN (SELECT card_id FROM account_totals) LIMIT 1";

/**
 * An account's holds live at @at and its postings, from its totals: of the two ranges one is
 * empty, the other runs between @at and retired_until.
 */
export const selectAccountTotals = `SELECT account_totals.held - ${endedSince("account_totals.card_id", "@at")}
    + ${endedBetween("account_totals.card_id", "@at", "account_totals.retired_until")} AS held, account_totals.posted
  FROM account_totals WHERE account_totals.card_id = @card`;

export const selectAccountPosted = "SELECT posted FROM account_totals WHERE card_id = ?";

/**
 * An account's holds live at the second parameter summed over its whole history: what the totals
 * must always equal. A captured authorization holds nothing, whatever the clock that stamped its
 * hold's end says (a gateway clock that ran ahead, then was set right, must not bring captured
 * holds back).
 */
export const selectFullHolds = `SELECT COALESCE(SUM(held), 0) AS held FROM authorizations a
  WHERE card_id = ? AND held > 0 AND (hold_until IS NULL OR hold_until > ?)
    AND NOT EXISTS (SELECT 1 FROM captures c WHERE c.auth_rrpid = a.auth_rrpid)`;
