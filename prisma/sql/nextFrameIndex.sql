-- @description The index a frame appended to the animation gets: one past the last, 0 for the first
-- @param {String} $1:animationId
SELECT coalesce(max(index), -1) + 1 AS "nextIndex"
FROM frames
WHERE animation_id = $1::uuid
