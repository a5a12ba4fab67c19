;; warden diff regression: validation|warden=malformed,binaryen=valid|integer too large|in section 6
;; explained by peer rule binaryen-108-lax-leb128 (Warden behaves as below)
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\06\0f\01\7e\00\42\80\80\80\80\80\80\80\80\80\02\0b")
  "integer too large")
