import Foundation

extension APIDefinition {
    /// Loads every `*.json` file of `directory` (not hidden, not in subfolders), in sorted name
    /// order, one definition per file, then checks them together: `api_id` is unique, and no two
    /// active definitions share a (`domain`, `listen_path`). The first problem is thrown.
    public static func loadAll(directory: String) throws(ConfigError) -> (
        definitions: [APIDefinition], warnings: [String]
    ) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ConfigError(
                source: directory, problem: "no such folder (the API definitions folder, config field \"app_path\")")
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw ConfigError(source: directory, problem: "cannot list the folder (config field \"app_path\")")
        }
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        var definitions: [APIDefinition] = []
        var warnings: [String] = []
        for name in names.sorted() where name.hasSuffix(".json") && !name.hasPrefix(".") {
            let file = prefix + name
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file, isDirectory: &isFolder), !isFolder.boolValue else {
                continue
            }
            let (definition, fileWarnings) = try parse(json: try GatewayConfig.readFile(file), file: file)
            definitions.append(definition)
            warnings += fileWarnings
        }
        try checkTogether(definitions)
        return (definitions, warnings)
    }

    /// Cross-file rules: unique `api_id`; unique (`domain`, `listen_path`) among active definitions.
    public static func checkTogether(_ definitions: [APIDefinition]) throws(ConfigError) {
        var byID: [String: APIDefinition] = [:]
        var byRoute: [String: APIDefinition] = [:]
        for definition in definitions {
            if let first = byID[definition.apiID] {
                throw ConfigError.field(
                    "api_id", in: definition.file,
                    "\(JSONValue.quoted(definition.apiID)) is already the api_id of \(first.file)")
            }
            byID[definition.apiID] = definition
            guard definition.active else { continue }
            let route = definition.domain + " " + definition.listenPath
            if let first = byRoute[route] {
                let domain = definition.domain.isEmpty ? "any domain" : "domain \(JSONValue.quoted(definition.domain))"
                throw ConfigError.field(
                    "proxy.listen_path", in: definition.file,
                    "\(JSONValue.quoted(definition.listenPath)) on \(domain) is already served by \(first.file)"
                        + " (api_id \(JSONValue.quoted(first.apiID)))")
            }
            byRoute[route] = definition
        }
    }
}

extension GatewayConfig {
    /// Loads the API definitions of `app_path` (see `APIDefinition.loadAll`); a missing folder is
    /// reported against this configuration's `app_path` field.
    public func loadAPIDefinitions() throws(ConfigError) -> (definitions: [APIDefinition], warnings: [String]) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: appPath, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ConfigError.field("app_path", in: source, "no such folder \(JSONValue.quoted(appPath))")
        }
        return try APIDefinition.loadAll(directory: appPath)
    }

    /// Loads the error templates of `template_path`; a missing folder means the built-in templates.
    public func loadErrorTemplates() throws(ConfigError) -> ErrorTemplates {
        try ErrorTemplates.load(directory: templatePath)
    }
}
