;; warden diff regression: validation|warden=malformed,binaryen=valid|zero byte expected|in section 10
;; explained by peer rule binaryen-108-lax-zero-byte (Warden behaves as below)
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\01\04\01\60\00\00\00\85\00\03\78\34\38\a5\03\02\01\00\05\03\01\00\00\0a"
    "\0a\01\08\00\3f\80\80\80\00\1a\0b")
  "zero byte expected")
