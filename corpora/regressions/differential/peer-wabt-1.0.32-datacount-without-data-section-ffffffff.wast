;; warden diff regression: validation|warden=malformed,wabt-npm=valid|data count and data section have inconsistent le|in section 12
;; explained by peer rule wabt-1.0.32-datacount-without-data-section (Warden behaves as below)
;; A data count of 2^32 - 1 and no data section (seed 6066): wabt 1.0.39 takes
;; that count for "no data count section".
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\0c\05\ff\ff\ff\ff\0f")
  "data count and data section have inconsistent lengths")
