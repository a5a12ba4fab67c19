;; warden diff regression: trap|call|binaryen-npm|warden=trap:table,binaryen-npm=ok
;; explained by peer rule binaryen-132-declarative-segments-shift-indices (Warden behaves as below)
;; (table 2 funcref) (elem declare func $f) (elem func $f): table.init 0 copies
;; from the declarative segment, dropped at instantiation: a trap.
(module binary
    "\00\61\73\6d\01\00\00\00\01\08\02\60\00\00\60\00\01\7f\03\04\03\00\00\01\04\04\01\70\00\02\07\11"
    "\02\04\69\6e\69\74\00\01\06\69\73\6e\75\6c\6c\00\02\09\09\02\03\00\01\00\01\00\01\00\0a\19\03\02"
    "\00\0b\0c\00\41\00\41\00\41\01\fc\0c\00\00\0b\07\00\41\00\25\00\d1\0b")
(assert_trap (invoke "init") "out of bounds table access")
(assert_return (invoke "isnull") (i32.const 1))
