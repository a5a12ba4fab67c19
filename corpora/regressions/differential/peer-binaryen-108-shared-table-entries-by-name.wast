;; conformance regression (scripts/conformance, elem.wast:606-608 and 619-621, linking.wast:204-218
;; and 453): Binaryen 108 (wasm-shell) keeps a function's name in a table, not a reference to the
;; function: an entry that a module importing the table writes is called, from the exporting
;; module, as the exporter's function of that name (99 here, not 67), or traps "uninitialized
;; table element" when the exporter has none; a call from the importer through the imported table
;; of an entry that is the importer's own import stops "Fatal: importGlobals: unknown import".
;; Spec 4.2.7, 4.5.4: a table holds function addresses; every module sharing it calls the same one.
;; catalogue entry binaryen-108-shared-table-entries-by-name (Warden behaves as below)
(module $exporter
  (type $t (func (result i32)))
  (table (export "tab") 10 funcref)
  (func $c (result i32) (i32.const 99))
  (func (export "h") (result i32) (i32.const -4))
  (func (export "call") (param i32) (result i32) (call_indirect (type $t) (local.get 0))))
(register "exporter" $exporter)
(assert_trap (invoke $exporter "call" (i32.const 7)) "uninitialized element")
(module $importer
  (type $t (func (result i32)))
  (import "exporter" "tab" (table 10 funcref))
  (func $h (import "exporter" "h") (result i32))
  (elem (i32.const 7) $c)
  (elem (i32.const 8) $h)
  (func $c (type $t) (i32.const 67))
  (func (export "call") (param i32) (result i32) (call_indirect (type $t) (local.get 0))))
(assert_return (invoke $importer "call" (i32.const 7)) (i32.const 67))
(assert_return (invoke $exporter "call" (i32.const 7)) (i32.const 67))
(assert_return (invoke $importer "call" (i32.const 8)) (i32.const -4))
(assert_return (invoke $exporter "call" (i32.const 8)) (i32.const -4))
