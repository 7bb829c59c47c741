using System.Reflection;
using BenchmarkDotNet.Running;

// typeof(Program) would be ambiguous: the referenced simulator also has a top-level Program.
BenchmarkSwitcher.FromAssembly(Assembly.GetExecutingAssembly()).Run(args);
