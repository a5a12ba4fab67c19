;; warden diff regression: validation|warden=invalid,binaryen=valid|constant expression required|in section 6
;; explained by peer rule binaryen-108-const-expr-global-rules (Warden behaves as below)
(assert_invalid
  (module binary
    "\00\61\73\6d\01\00\00\00\02\18\01\04\74\65\73\74\0e\67\6c\6f\62\61\6c\2d\6d\75\74\2d\69\33\32\03"
    "\7f\01\06\06\01\7f\00\23\00\0b")
  "constant expression required")
