using BenchmarkDotNet.Running;

// The referenced simulator has a top-level Program too; this assembly's own is the one meant here.
#pragma warning disable CS0436
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
#pragma warning restore CS0436
