/* not written yet */
typedef int unwritten_synth;
