/* not written yet */
typedef int unwritten_out_portaudio;
