// What every part of the adapter speaks: the SMPP library, the public contract and MassTransit. Folder namespaces of this
// project stay explicit `using`s, so the folder graph (FolderDependencyTests) is read from each file.
global using Instasent.Smpp.Client;
global using Instasent.Smpp.Messages;
global using Instasent.Smpp.Pdus;
global using Instasent.SmppAdapter.Contracts;
global using MassTransit;
