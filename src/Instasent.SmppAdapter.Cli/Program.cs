using Instasent.SmppAdapter.Cli;

return await CliApp.RunAsync(args, CliEnvironment.Console()).ConfigureAwait(false);
