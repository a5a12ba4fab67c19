;; warden diff regression: hang|load|binaryen (seed 7102)
;; explained by peer rule binaryen-108-local-count-allocation (Warden behaves as below)
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\01\06\01\60\02\7f\7f\00\03\82\80\80\00\01\00"
    "\0a\1c\01\1a\04\80\80\80\80\04\7f\80\e5\80\80\80\04\7e\80\80\80\80\04\7d"
    "\80\80\80\80\04\7c\0b")
  "integer representation too long")
