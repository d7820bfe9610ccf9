/**
 * Report aggregates: counts of sends per hour of creation, kept up to date by triggers on
 * `sends`, so the dashboard sums a few rows per hour instead of scanning the sends.
 *
 * Two tables. `report_hours` is the detail: one row per (account, hour, method, recipient
 * domain, state), with the sends in that state and how many of them were opened, clicked or
 * complained about at least once. With a few dozen sends per account and hour it has almost as
 * many rows as there are sends, so a platform-wide report over 90 days cannot read it fast.
 * `report_platform_hours` holds the same counts per (hour, method, state) over every account,
 * for the reports with no account scope. Day reports sum the hour rows of each UTC day, so no
 * day table is kept.
 *
 * The triggers run inside the statement that changes the send, so the counts commit or roll
 * back with it, whichever code path writes the send. A move between states subtracts the send
 * from its old row and adds it to the new one. The first open, click or complaint of a send
 * (its counter going from 0 to more) adds 1 to the matching count of its row. Rows whose count drops to 0
 * are kept. The backfill fills both tables from the existing sends.
 */
const DOMAIN = (send: string) =>
  `lower(substr(${send}.recipient, instr(${send}.recipient, '@') + 1))`;
const HOUR = (send: string) => `${send}.created_at - ${send}.created_at % 3600000`;

/** UPSERTs that add `sign` times the send `row` (NEW or OLD) to both tables. */
function addSend(row: string, sign: '+' | '-'): string {
  const flags = `${sign}1, ${sign}(${row}.opens > 0), ${sign}(${row}.clicks > 0), ${sign}(${row}.complaints > 0)`;
  return `
  INSERT INTO report_hours
    (account_id, bucket_start, method, recipient_domain, state, sends, opened, clicked, complained)
    VALUES (${row}.account_id, ${HOUR(row)}, ${row}.method, ${DOMAIN(row)}, ${row}.state, ${flags})
    ON CONFLICT DO UPDATE SET sends = sends + excluded.sends, opened = opened + excluded.opened,
      clicked = clicked + excluded.clicked, complained = complained + excluded.complained;
  INSERT INTO report_platform_hours (bucket_start, method, state, sends, opened, clicked, complained)
    VALUES (${HOUR(row)}, ${row}.method, ${row}.state, ${flags})
    ON CONFLICT DO UPDATE SET sends = sends + excluded.sends, opened = opened + excluded.opened,
      clicked = clicked + excluded.clicked, complained = complained + excluded.complained;`;
}

/** Whether the send's key (account, hour, method, domain, state) is unchanged. */
const SAME_KEY = `OLD.state = NEW.state AND OLD.account_id = NEW.account_id
    AND OLD.method = NEW.method AND OLD.recipient = NEW.recipient AND OLD.created_at = NEW.created_at`;
const SAME_FLAGS = `(OLD.opens > 0) = (NEW.opens > 0) AND (OLD.clicks > 0) = (NEW.clicks > 0)
    AND (OLD.complaints > 0) = (NEW.complaints > 0)`;
export const sql = `
CREATE TABLE report_hours (
  account_id INTEGER NOT NULL,
  bucket_start INTEGER NOT NULL,
  method TEXT NOT NULL,
  recipient_domain TEXT NOT NULL,
  state TEXT NOT NULL,
  sends INTEGER NOT NULL,
  opened INTEGER NOT NULL,
  clicked INTEGER NOT NULL,
  complained INTEGER NOT NULL,
  PRIMARY KEY (account_id, bucket_start, method, recipient_domain, state)
) WITHOUT ROWID;

CREATE TABLE report_platform_hours (
  bucket_start INTEGER NOT NULL,
  method TEXT NOT NULL,
  state TEXT NOT NULL,
  sends INTEGER NOT NULL,
  opened INTEGER NOT NULL,
  clicked INTEGER NOT NULL,
  complained INTEGER NOT NULL,
  PRIMARY KEY (bucket_start, method, state)
) WITHOUT ROWID;

INSERT INTO report_hours
  (account_id, bucket_start, method, recipient_domain, state, sends, opened, clicked, complained)
  SELECT account_id, ${HOUR('sends')}, method, ${DOMAIN('sends')}, state, COUNT(*),
    SUM(opens > 0), SUM(clicks > 0), SUM(complaints > 0)
  FROM sends GROUP BY 1, 2, 3, 4, 5;

INSERT INTO report_platform_hours (bucket_start, method, state, sends, opened, clicked, complained)
  SELECT bucket_start, method, state, SUM(sends), SUM(opened), SUM(clicked), SUM(complained)
  FROM report_hours GROUP BY 1, 2, 3;

CREATE TRIGGER sends_report_insert AFTER INSERT ON sends BEGIN${addSend('NEW', '+')}
END;

CREATE TRIGGER sends_report_delete AFTER DELETE ON sends BEGIN${addSend('OLD', '-')}
END;

CREATE TRIGGER sends_report_move
  AFTER UPDATE OF state, opens, clicks, complaints, account_id, method, recipient, created_at
  ON sends WHEN NOT (${SAME_KEY}) BEGIN${addSend('OLD', '-')}${addSend('NEW', '+')}
END;

CREATE TRIGGER sends_report_flags
  AFTER UPDATE OF opens, clicks, complaints ON sends
  WHEN ${SAME_KEY} AND NOT (${SAME_FLAGS}) BEGIN
  UPDATE report_hours SET opened = opened + (NEW.opens > 0) - (OLD.opens > 0),
      clicked = clicked + (NEW.clicks > 0) - (OLD.clicks > 0),
      complained = complained + (NEW.complaints > 0) - (OLD.complaints > 0)
    WHERE account_id = NEW.account_id AND bucket_start = ${HOUR('NEW')} AND method = NEW.method
      AND recipient_domain = ${DOMAIN('NEW')} AND state = NEW.state;
  UPDATE report_platform_hours SET opened = opened + (NEW.opens > 0) - (OLD.opens > 0),
      clicked = clicked + (NEW.clicks > 0) - (OLD.clicks > 0),
      complained = complained + (NEW.complaints > 0) - (OLD.complaints > 0)
    WHERE bucket_start = ${HOUR('NEW')} AND method = NEW.method AND state = NEW.state;
END;
`;
