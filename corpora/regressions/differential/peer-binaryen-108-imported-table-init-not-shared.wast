;; conformance regression (scripts/conformance, elem.wast:606-608 and 619-621, linking.wast:204-218):
;; Binaryen 108 (wasm-shell) writes the active element segments of a module that imports a table
;; into a copy of it; spec 4.5.4: they are written into the imported table itself, which the
;; exporting module sees.
;; catalogue entry binaryen-108-imported-table-init-not-shared (Warden behaves as below)
(module $exporter
  (type $t (func (result i32)))
  (table (export "tab") 10 funcref)
  (func (export "call7") (result i32) (call_indirect (type $t) (i32.const 7))))
(register "exporter" $exporter)
(assert_trap (invoke $exporter "call7") "uninitialized element")
(module $importer
  (type $t (func (result i32)))
  (import "exporter" "tab" (table 10 funcref))
  (elem (i32.const 7) $c)
  (func $c (type $t) (i32.const 67))
  (func (export "call7") (result i32) (call_indirect (type $t) (i32.const 7))))
(assert_return (invoke $importer "call7") (i32.const 67))
(assert_return (invoke $exporter "call7") (i32.const 67))
