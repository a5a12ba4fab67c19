;; warden diff regression: validation|warden=malformed,binaryen=valid|END opcode expected|in section 10
;; explained by peer rule binaryen-108-lax-body-structure (Warden behaves as below)
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\01\05\01\60\00\01\7c\03\02\01\00\07\05\01\01\66\00\00\0a\0d\01\0b\00\44"
    "\00\00\10\00\00\00\70\9a\05")
  "END opcode expected")
