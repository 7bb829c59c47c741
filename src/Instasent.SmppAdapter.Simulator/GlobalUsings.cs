// What every part of the simulator speaks: the SMPP library's PDUs and codec.
global using Instasent.Smpp.Codec;
global using Instasent.Smpp.Pdus;
