using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Instasent.SmppAdapter.Configuration;

/// <summary>
/// The keys an options type accepts, derived by reflection from the properties <c>ConfigurationBinder</c> sets (public,
/// settable, named by <see cref="ConfigurationKeyNameAttribute"/> or their own name), and the checks the binder does not
/// make: a key that matches no property, a value that does not convert, a number or duration outside its
/// <see cref="RangeAttribute"/>, an unreadable <see cref="SecretFileAttribute"/> file. Each is one line naming the key.
/// </summary>
internal static class OptionsShape
{
    /// <summary>
    /// What <see cref="Check"/> found: the problems, and the configuration to bind, without the values that would make
    /// the binder throw (so every other problem is still found in the same round) or that are empty (the default stays).
    /// </summary>
    public sealed record Result(IReadOnlyList<string> Problems, IConfiguration Bindable, IReadOnlySet<string> Rejected);

    /// <summary>Checks the sections of <paramref name="configuration"/> that <paramref name="rootType"/> binds; other sections (Logging, Kestrel…) are not its business.</summary>
    public static Result Check(IConfiguration configuration, Type rootType)
    {
        var walk = new Walk();
        walk.Members(configuration.GetChildren(), Members(rootType), reportUnknown: false);
        var bindable = new ConfigurationBuilder()
            .AddInMemoryCollection(configuration.AsEnumerable().Where(kv => kv.Value is not null && !walk.IsSkipped(kv.Key)))
            .Build();
        return new Result(walk.Problems, bindable, walk.Rejected);
    }

    /// <summary>The configuration key of <paramref name="property"/>, relative to its parent (may hold ':').</summary>
    public static string KeyOf(PropertyInfo property) => property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? property.Name;

    /// <summary>The properties of <paramref name="type"/> that are configuration keys.</summary>
    public static IEnumerable<PropertyInfo> Keys(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0 && p.GetCustomAttribute<NotAKeyAttribute>() is null);

    /// <summary>One line per value of <paramref name="options"/> outside its <see cref="RangeAttribute"/>, named by its key in <paramref name="configuration"/>.</summary>
    public static void CheckRanges(object options, IConfiguration configuration, string? path, List<string> problems)
    {
        foreach (var property in Keys(options.GetType()))
        {
            var value = property.GetValue(options);
            var key = path is null ? KeyOf(property) : $"{path}:{KeyOf(property)}";
            var section = configuration.GetSection(KeyOf(property));
            if (value is null)
            {
                continue;
            }
            if (property.GetCustomAttribute<RangeAttribute>() is { } range)
            {
                if (!IsWithin(value, range))
                {
                    problems.Add(Describe(key, property.PropertyType, range, section.Value ?? Format(value)));
                }
            }
            else if (IsScalar(property.PropertyType))
            {
                continue;
            }
            else if (ElementType(property.PropertyType) is not null)
            {
                var items = section.GetChildren().ToList();
                var i = 0;
                foreach (var item in (System.Collections.IEnumerable)value)
                {
                    if (item is not null && !IsScalar(item.GetType()))
                    {
                        CheckRanges(item, i < items.Count ? items[i] : section.GetSection(i.ToString(CultureInfo.InvariantCulture)), i < items.Count ? items[i].Path : $"{key}:{i}", problems);
                    }
                    i++;
                }
            }
            else
            {
                CheckRanges(value, section, key, problems);
            }
        }
    }

    /// <summary>Replaces the target of every <see cref="SecretFileAttribute"/> property that names a readable file with the file's content.</summary>
    public static void ReadSecretFiles(object options)
    {
        foreach (var property in Keys(options.GetType()))
        {
            var value = property.GetValue(options);
            if (value is null || IsScalar(property.PropertyType) && property.GetCustomAttribute<SecretFileAttribute>() is null)
            {
                continue;
            }
            if (property.GetCustomAttribute<SecretFileAttribute>() is { } secret)
            {
                if (value is string { Length: > 0 } file && SecretFileAttribute.TryRead(file, out _) is { } content)
                {
                    options.GetType().GetProperty(secret.Target)!.SetValue(options, content);
                }
            }
            else if (ElementType(property.PropertyType) is not null)
            {
                foreach (var item in (System.Collections.IEnumerable)value)
                {
                    if (item is not null && !IsScalar(item.GetType()))
                    {
                        ReadSecretFiles(item);
                    }
                }
            }
            else
            {
                ReadSecretFiles(value);
            }
        }
    }

    /// <summary>The rule a value of <paramref name="type"/> at <paramref name="key"/> breaks, and the value (a URI without its user info).</summary>
    public static string Describe(string key, Type type, RangeAttribute? range, string raw)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum)
        {
            return $"{key} must be one of {string.Join(" | ", Enum.GetNames(type))} (was {raw})";
        }
        if (type == typeof(TimeSpan))
        {
            return range is null
                ? $"{key} must be a duration hh:mm:ss (was {raw})"
                : $"{key} must be a duration hh:mm:ss within {Limit(range.Minimum, type)}..{Limit(range.Maximum, type)} (was {raw})";
        }
        if (type == typeof(bool))
        {
            return $"{key} must be true or false (was {raw})";
        }
        if (type == typeof(Uri))
        {
            return $"{key} must be an absolute URI (was {MaskUserInfo(raw)})";
        }
        if (type.IsPrimitive || type == typeof(decimal))
        {
            var what = type == typeof(double) || type == typeof(float) || type == typeof(decimal) ? "a number" : "an integer";
            return range is null ? $"{key} must be {what} (was {raw})" : $"{key} must be {range.Minimum}..{range.Maximum} (was {raw})";
        }
        return $"{key} must be a {type.Name} (was {raw})";
    }

    /// <summary>The user info of a URI (user and password) replaced by <c>***</c>.</summary>
    public static string MaskUserInfo(string raw)
    {
        var at = raw.IndexOf('@', StringComparison.Ordinal);
        var scheme = raw.IndexOf("://", StringComparison.Ordinal);
        return at > 0 && scheme > 0 && at > scheme ? raw[..(scheme + 3)] + "***" + raw[at..] : raw;
    }

    /// <summary>
    /// The Levenshtein distance (insertions, deletions, substitutions), case-insensitive: how far a misspelt key is from
    /// each valid one, to name the closest.
    /// </summary>
    public static int Distance(string a, string b)
    {
        a = a.ToUpperInvariant();
        b = b.ToUpperInvariant();
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    private static bool IsScalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type == typeof(string) || TypeDescriptor.GetConverter(type).CanConvertFrom(typeof(string));
    }

    /// <summary>The item type of a list or array (bound from keys 0, 1, 2…); null for anything else.</summary>
    private static Type? ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }
        if (!type.IsGenericType || type == typeof(string))
        {
            return null;
        }
        var definition = type.GetGenericTypeDefinition();
        return definition == typeof(IReadOnlyList<>) || definition == typeof(IList<>) || definition == typeof(List<>)
            || definition == typeof(IEnumerable<>) || definition == typeof(IReadOnlyCollection<>) || definition == typeof(ICollection<>)
            ? type.GetGenericArguments()[0]
            : null;
    }

    /// <summary>The value type of a dictionary keyed by string (any key is valid); null for anything else.</summary>
    private static Type? DictionaryValueType(Type type) =>
        type.IsGenericType
        && (type.GetGenericTypeDefinition() == typeof(IDictionary<,>) || type.GetGenericTypeDefinition() == typeof(Dictionary<,>) || type.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>))
        && type.GetGenericArguments()[0] == typeof(string)
            ? type.GetGenericArguments()[1]
            : null;

    private static bool IsWithin(object value, RangeAttribute range)
    {
        if (value is TimeSpan duration)
        {
            return duration >= Limit(range.Minimum, typeof(TimeSpan)) && duration <= Limit(range.Maximum, typeof(TimeSpan));
        }
        var number = Convert.ToDouble(value, CultureInfo.InvariantCulture);
        return number >= Convert.ToDouble(range.Minimum, CultureInfo.InvariantCulture) && number <= Convert.ToDouble(range.Maximum, CultureInfo.InvariantCulture);
    }

    private static TimeSpan Limit(object limit, Type type) =>
        limit is TimeSpan t ? t : type == typeof(TimeSpan) ? TimeSpan.Parse((string)limit, CultureInfo.InvariantCulture) : throw new ArgumentException($"not a duration limit: {limit}", nameof(limit));

    private static string Format(object value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";

    private static bool Converts(string raw, Type type)
    {
        if (type.IsEnum)
        {
            // Names, or numbers that are defined values (TON/NPI are usually written as numbers).
            return Enum.TryParse(type, raw, ignoreCase: true, out var value) && Enum.IsDefined(type, value!);
        }
        if (type == typeof(bool))
        {
            return bool.TryParse(raw, out _);
        }
        if (type == typeof(Uri))
        {
            return Uri.TryCreate(raw, UriKind.Absolute, out _);
        }
        try
        {
            TypeDescriptor.GetConverter(type).ConvertFromInvariantString(raw);
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or NotSupportedException or OverflowException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>A configured key of the options type: its path below the section being walked (split on ':') and its property.</summary>
    private sealed record Member(string[] Segments, PropertyInfo Property);

    private static List<Member> Members(Type type) => Keys(type).Select(p => new Member(KeyOf(p).Split(':'), p)).ToList();

    private sealed class Walk
    {
        public List<string> Problems { get; } = [];
        public HashSet<string> Rejected { get; } = new(StringComparer.OrdinalIgnoreCase);

        /// <summary>Values left out of binding.</summary>
        private HashSet<string> SkippedValues { get; } = new(StringComparer.OrdinalIgnoreCase);

        /// <summary>Sections left out of binding with everything below them (unknown ones: an item not numbered would otherwise bind as one more).</summary>
        private HashSet<string> SkippedSections { get; } = new(StringComparer.OrdinalIgnoreCase);

        public bool IsSkipped(string key)
        {
            if (SkippedValues.Contains(key))
            {
                return true;
            }
            for (var end = key.IndexOf(':', StringComparison.Ordinal); end >= 0; end = key.IndexOf(':', end + 1))
            {
                if (SkippedSections.Contains(key[..end]))
                {
                    return true;
                }
            }
            return SkippedSections.Contains(key);
        }

        public void Members(IEnumerable<IConfigurationSection> children, List<Member> members, bool reportUnknown)
        {
            foreach (var child in children)
            {
                var matching = members.Where(m => string.Equals(m.Segments[0], child.Key, StringComparison.OrdinalIgnoreCase)).ToList();
                if (matching.Count == 0)
                {
                    var valid = members.Select(m => m.Segments[0]).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
                    // At the top, other sections (Logging, Kestrel, every environment variable) are not ours; only a
                    // section one letter away from one of our longer names is surely a misspelling of it (Smtp or
                    // Https may well be some other service's section in a shared file).
                    if (reportUnknown || child.GetChildren().Any() && valid.Any(v => v.Length >= 5 && Distance(v, child.Key) <= 1))
                    {
                        Unknown(child, valid);
                    }
                    continue;
                }
                if (matching.FirstOrDefault(m => m.Segments.Length == 1) is { } leaf)
                {
                    Value(child, leaf.Property.PropertyType, leaf.Property);
                    continue;
                }
                NotAValue(child);
                Members(child.GetChildren(), matching.Select(m => m with { Segments = m.Segments[1..] }).ToList(), reportUnknown: true);
            }
        }

        private void Value(IConfigurationSection section, Type type, PropertyInfo? property)
        {
            var underlying = Nullable.GetUnderlyingType(type) ?? type;
            if (IsScalar(underlying))
            {
                foreach (var child in section.GetChildren())
                {
                    Reject(child.Path, $"{child.Path} is not a known key ({section.Path} takes a value, not keys)", section: true);
                }
                Scalar(section, underlying, property);
            }
            else if (ElementType(underlying) is { } item)
            {
                NotAValue(section);
                foreach (var child in section.GetChildren())
                {
                    if (int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                    {
                        Value(child, item, null);
                    }
                    else
                    {
                        Reject(child.Path, $"{child.Path} is not a known key ({section.Path} takes items numbered 0, 1, 2…)", section: true);
                    }
                }
            }
            else if (DictionaryValueType(underlying) is { } valueType)
            {
                NotAValue(section);
                foreach (var child in section.GetChildren())
                {
                    Value(child, valueType, null);
                }
            }
            else
            {
                NotAValue(section);
                Members(section.GetChildren(), OptionsShape.Members(underlying), reportUnknown: true);
            }
        }

        private void Scalar(IConfigurationSection section, Type type, PropertyInfo? property)
        {
            var raw = section.Value;
            if (raw is null)
            {
                return;
            }
            if (type == typeof(string))
            {
                if (property?.GetCustomAttribute<SecretFileAttribute>() is not null && raw.Length > 0 && SecretFileAttribute.TryRead(raw, out var error) is null)
                {
                    Reject(section.Path, $"{section.Path} must name a readable file (was \"{raw}\": {error})");
                }
                return;
            }
            if (string.IsNullOrWhiteSpace(raw))
            {
                // Empty is unset: the default stays (e.g. an environment variable exported empty by a script).
                SkippedValues.Add(section.Path);
                return;
            }
            if (!Converts(raw, type))
            {
                Reject(section.Path, Describe(section.Path, type, property?.GetCustomAttribute<RangeAttribute>(), raw));
            }
        }

        private void NotAValue(IConfigurationSection section)
        {
            if (!string.IsNullOrEmpty(section.Value))
            {
                // Never echoed: it could be anything, a secret included.
                Reject(section.Path, $"{section.Path} is a section (set the keys below it), not a value");
            }
        }

        private void Unknown(IConfigurationSection section, IEnumerable<string> valid)
        {
            var closest = valid.MinBy(v => Distance(v, section.Key));
            var parent = section.Path[..^section.Key.Length];
            Reject(section.Path, closest is null
                ? $"{section.Path} is not a known key"
                : $"{section.Path} is not a known key; did you mean {parent}{closest}?", section: true);
        }

        private void Reject(string path, string problem, bool section = false)
        {
            Problems.Add(problem);
            Rejected.Add(path);
            (section ? SkippedSections : SkippedValues).Add(path);
        }
    }
}
