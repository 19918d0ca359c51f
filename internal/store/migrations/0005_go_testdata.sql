-- Go files under testdata/ are test code (chunk.IsTestPath): the go tool
-- never builds them, they are programs and inputs that tests run. An
-- index made before this rule marks them here, since an unchanged file
-- is not parsed again.
UPDATE chunks SET is_test = 1
WHERE language = 'go' AND is_test = 0
  AND file_id IN (SELECT id FROM files WHERE '/' || path LIKE '%/testdata/%');
