;; Pronunciations for scripts/make-voice, added to Festival's CMU lexicon
;; after the voice is chosen (docs/voice.md, "Lexicon").
;;
;; Two kinds of entry:
;; - words the lexicon does not have, which Festival's letter-to-sound rules
;;   got wrong ("forearms" was said "frarms", "exhale" "ix-hul", "metres"
;;   "metrz", "practise" "prac-tize");
;; - words the lexicon has whose syllables, split differently, the HTS voice
;;   says more clearly. The phones are the lexicon's own; only the syllable
;;   boundary moves, which changes the context the voice's models are chosen
;;   by: "shoulder" as "shold-er" was heard right 25 times in 28 sentences by
;;   the recognizer of scripts/measure-voice, against 4 in 28 as "shol-der"
;;   ("shelter"); "settle" as "set-tle" 2 in 2, against none ("said").
;;
;; Phones: Festival's "radio" set for US English (as in cmudict, lower case,
;; "ax" for a weak schwa); stress 1 primary, 2 secondary, 0 none.

(lex.add.entry '("shoulder" nil (((sh ow l d) 1) ((er) 0))))
(lex.add.entry '("shoulders" nil (((sh ow l d) 1) ((er z) 0))))
(lex.add.entry '("settle" nil (((s eh t) 1) ((ax l) 0))))
(lex.add.entry '("settles" nil (((s eh t) 1) ((ax l z) 0))))
(lex.add.entry '("forearms" nil (((f ao r) 1) ((aa r m z) 2))))
(lex.add.entry '("exhale" nil (((eh k s) 2) ((hh ey l) 1))))
(lex.add.entry '("metres" nil (((m iy) 1) ((t er z) 0))))
(lex.add.entry '("practise" nil (((p r ae k) 1) ((t ih s) 0))))
(lex.add.entry '("footrest" nil (((f uh t) 1) ((r eh s t) 2))))
(lex.add.entry '("analysed" nil (((ae n) 1) ((ax) 0) ((l ay z d) 2))))
(lex.add.entry '("diaphragmatic" nil (((d ay) 2) ((ax) 0) ((f r ae g) 0) ((m ae) 1) ((t ih k) 0))))
(lex.add.entry '("tingly" nil (((t ih ng) 1) ((g l iy) 0))))
(lex.add.entry '("unwell" nil (((ah n) 0) ((w eh l) 1))))
(lex.add.entry '("raynaud's" nil (((r ey) 0) ((n ow z) 1))))
(lex.add.entry '("physiotherapist" nil (((f ih) 2) ((z iy) 0) ((ow) 0) ((th eh) 1) ((r ax) 0) ((p ih s t) 0))))
