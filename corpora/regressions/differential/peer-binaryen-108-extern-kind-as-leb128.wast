;; warden diff regression: validation|warden=malformed,binaryen=valid|malformed export kind|in section 7
;; explained by peer rule binaryen-108-extern-kind-as-leb128 (Warden behaves as below)
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\05\03\01\00\00\07\06\01\01\61\82\00\00")
  "malformed export kind")
