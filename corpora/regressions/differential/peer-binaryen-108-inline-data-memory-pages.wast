;; conformance regression (scripts/conformance, bulk.wast:108 and 110): Binaryen 108's text reader
;; (wasm-shell, wasm-as) gives `(memory (data ...))` one page per byte of data and a maximum of 65536
;; pages; spec 6.6.6: ceil(n / 64 KiB) pages, the maximum equal to the minimum.
;; catalogue entry binaryen-108-inline-data-memory-pages (Warden behaves as below)
(module
  (memory (data "\aa\bb\cc\dd"))
  (func (export "size") (result i32) (memory.size))
  (func (export "grow") (result i32) (memory.grow (i32.const 1)))
  (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2))))
(assert_return (invoke "size") (i32.const 1))
(assert_trap (invoke "copy" (i32.const 0x10001) (i32.const 0) (i32.const 0)) "out of bounds memory access")
(assert_return (invoke "grow") (i32.const -1))
(assert_return (invoke "size") (i32.const 1))
