;; warden diff regression: hang|load|binaryen-npm
;; explained by peer rule binaryen-132-datacount-allocation (Warden behaves as below)
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\0c\05\ca\a4\df\fa\0f")
  "data count and data section have inconsistent lengths")
