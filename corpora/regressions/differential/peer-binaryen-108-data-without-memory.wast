;; warden diff regression: validation|warden=invalid,binaryen=valid|unknown memory N|in section 11
;; explained by peer rule binaryen-108-data-without-memory (Warden behaves as below)
(assert_invalid
  (module binary
    "\00\61\73\6d\01\00\00\00\0b\06\01\00\41\00\0b\00")
  "unknown memory 0")
