-- Accepting updates into the inbox (bot/pginbox): one function call stores a batch and
-- leases to the caller each update that is its chat's next one, so that the caller's
-- worker handles it without a statement of its own to take it.
--
-- Several processes may accept updates of one chat at once (webhook deliveries reach any
-- instance). Two accepts that both found nothing of a chat stored would both lease one of
-- its updates, and the chat's updates could run out of order. accept_updates therefore
-- takes a transaction advisory lock per chat (class 0x696e6278, "inbx"; the object is the
-- hash of the chat id, locks taken in hash order so that two accepts never wait for each
-- other in a circle) before it reads the chats' backlogs, in a statement of its own: in a
-- PL/pgSQL function every statement reads a new snapshot, so the second of two accepts of
-- a chat sees what the first stored.
--
-- Arguments: the updates (ids, chats, raws), the backlog limit per chat, the time of the
-- accept, the lease in milliseconds (0: lease nothing, take no lock), and the updates the
-- caller is handling (held, NULL for none: a chat whose only stored updates are among
-- them, with their lease running, has its next update leased too). Rows: (false, chat, n)
-- for n updates of a chat dropped over the limit; (true, update, 0) for each update leased
-- to the caller.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION accept_updates(ids BIGINT[], chats BIGINT[], raws TEXT[], max_backlog INTEGER,
    at TIMESTAMPTZ, lease_ms BIGINT, held BIGINT[])
RETURNS TABLE (taken BOOLEAN, id BIGINT, n BIGINT) LANGUAGE plpgsql AS $$
BEGIN
    IF lease_ms > 0 THEN
        PERFORM pg_advisory_xact_lock(1768841848, h)
        FROM (SELECT DISTINCT hashtext(c::text) AS h FROM unnest(chats) AS c) AS l ORDER BY h;
    END IF;
    RETURN QUERY
    WITH incoming AS (
        SELECT * FROM unnest(ids, chats, raws) AS t(update_id, chat_id, raw)
    ), backlog AS (
        SELECT u.chat_id, count(*) AS n,
            count(*) FILTER (WHERE NOT u.update_id = ANY(COALESCE(held, '{}')) OR u.lease_until IS NULL OR u.lease_until < at) AS others
        FROM update_inbox u
        WHERE u.chat_id IN (SELECT i.chat_id FROM incoming i) GROUP BY u.chat_id
    ), ranked AS (
        SELECT i.*, COALESCE(b.n, 0) + row_number() OVER (PARTITION BY i.chat_id ORDER BY i.update_id) AS pos,
            COALESCE(b.others, 0) + row_number() OVER (PARTITION BY i.chat_id ORDER BY i.update_id) AS turn
        FROM incoming i LEFT JOIN backlog b USING (chat_id)
        WHERE NOT EXISTS (SELECT 1 FROM update_inbox x WHERE x.update_id = i.update_id)
    ), ins AS (
        INSERT INTO update_inbox AS u (update_id, chat_id, raw, received_at, not_before, lease_until)
        SELECT r.update_id, r.chat_id, r.raw, at, at,
            CASE WHEN lease_ms > 0 AND r.turn = 1 THEN at + lease_ms * interval '1 millisecond' END
        FROM ranked r WHERE r.pos <= max_backlog OR r.chat_id = 0
        ON CONFLICT (update_id) DO NOTHING
        RETURNING u.update_id, u.chat_id, u.lease_until IS NOT NULL AS leased
    ), reach AS (
        UPDATE customers SET unreachable = false, updated_at = at
        WHERE unreachable AND telegram_id IN (SELECT ins.chat_id FROM ins WHERE ins.chat_id > 0)
    )
    SELECT false, r.chat_id, count(*) FROM ranked r WHERE r.pos > max_backlog AND r.chat_id <> 0 GROUP BY r.chat_id
    UNION ALL
    SELECT true, ins.update_id, 0::bigint FROM ins WHERE ins.leased;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION accept_updates(BIGINT[], BIGINT[], TEXT[], INTEGER, TIMESTAMPTZ, BIGINT, BIGINT[]);
