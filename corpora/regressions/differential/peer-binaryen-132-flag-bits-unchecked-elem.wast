;; warden diff regression: validation|warden=malformed,binaryen-npm=valid|malformed elements segment kind|in section 9
;; explained by peer rule binaryen-132-flag-bits-unchecked (Warden behaves as below)
;; An element segment with flags 0x43 (seed 6067): Binaryen reads 3.
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\09\04\01\43\00\00")
  "malformed elements segment kind")
