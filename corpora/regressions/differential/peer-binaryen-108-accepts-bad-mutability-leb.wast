;; warden diff regression: validation|warden=malformed,binaryen-npm=valid|malformed mutability|in section 6
;; explained by peer rule binaryen-108-accepts-bad-mutability (Warden behaves as below)
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\06\07\01\7f\80\00\41\00\0b")
  "malformed mutability")
