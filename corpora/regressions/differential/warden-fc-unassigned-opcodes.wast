;; Warden bug, found by `warden diff --time 8m --seed 8101` (bucket
;; validation|warden=valid,wabt=malformed,v8=rejected|unexpected opcode: Nxfc NxNa):
;; built by GCC 12, Warden decoded the unassigned encodings 0xFC 18-31 as
;; `unreachable` (the opcode index in engine/src/decode/expr.hpp kept op 0 for
;; them), so a module using one was valid. Spec 5.4: they are malformed.
;; Each module is (func <0xFC code> end), plus the campaign's own minimized module.
(assert_malformed (module binary "\00\61\73\6d\01\00\00\00\01\04\01\60\00\00\03\02\01\00\0a\06\01\04\00\fc\12\0b") "illegal opcode")
(assert_malformed (module binary "\00\61\73\6d\01\00\00\00\01\04\01\60\00\00\03\02\01\00\0a\06\01\04\00\fc\1a\0b") "illegal opcode")
(assert_malformed (module binary "\00\61\73\6d\01\00\00\00\01\04\01\60\00\00\03\02\01\00\0a\06\01\04\00\fc\1b\0b") "illegal opcode")
(assert_malformed (module binary "\00\61\73\6d\01\00\00\00\01\04\01\60\00\00\03\02\01\00\0a\06\01\04\00\fc\1f\0b") "illegal opcode")
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\01\04\01\60\00\00\03\02\01\00\0a\0d\01\0b\00\42\0a\42\14\41\1e\fc\1b\00"
    "\0b")
  "illegal opcode")
