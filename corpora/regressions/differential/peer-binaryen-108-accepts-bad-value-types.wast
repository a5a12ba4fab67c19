;; warden diff regression: validation|warden=malformed,binaryen=valid|malformed value type|in section 10
;; explained by peer rule binaryen-108-accepts-bad-value-types (Warden behaves as below)
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\01\05\01\60\00\01\7b\03\02\01\00\0a\18\01\16\01\fd\0c\00\00\00\00\00\00"
    "\00\00\00\00\00\00\00\00\00\00\fd\77\0b")
  "malformed value type")
