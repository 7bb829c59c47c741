using Instasent.SmppAdapter;

return await AdapterHost.RunAsync(args).ConfigureAwait(false);
