import ConfigFiles
import Vocabulary

extension ConfigReader {
    /// A setting of this section, with its default and rule from `TrialConfigKey`.
    func double(_ setting: TrialConfigSetting<Double>) throws -> Double {
        try double(setting.key.name, default: setting.defaultValue, setting.rule, where: setting.accepts)
    }

    func int(_ setting: TrialConfigSetting<Int>) throws -> Int {
        try int(setting.key.name, default: setting.defaultValue, setting.rule, where: setting.accepts)
    }
}
