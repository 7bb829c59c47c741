using Instasent.SmppAdapter.Hosting;

return await AdapterHost.RunAsync(args);
